// What the landing page's sections share: the API client and small DOM helpers.

const ENDPOINT = "/graphql";

export const $ = (id) => document.getElementById(id);

class ApiError extends Error {}

export async function graphql(query, variables = {}) {
  let response;
  try {
    response = await fetch(ENDPOINT, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ query, variables }),
    });
  } catch (error) {
    throw new ApiError(`The API could not be reached: ${error.message}`);
  }
  let payload;
  try {
    payload = await response.json();
  } catch {
    throw new ApiError(`The API answered ${response.status} ${response.statusText}`);
  }
  if (payload.errors?.length) throw new ApiError(payload.errors.map((e) => e.message).join("; "));
  if (!response.ok || !payload.data) throw new ApiError(`The API answered ${response.status}`);
  return payload.data;
}

export function graphiqlLink(query, variables) {
  const params = new URLSearchParams({ q: query });
  if (variables) params.set("variables", JSON.stringify(variables, null, 2));
  return `${ENDPOINT}?${params}`;
}

export function showError(id, message) {
  $(id).textContent = message;
  $(id).hidden = !message;
}

// The same day `months` earlier, or that month's last day if it is shorter.
export function monthsBefore(isoDate, months) {
  const [year, month, day] = isoDate.split("-").map(Number);
  const target = new Date(Date.UTC(year, month - 1 - months, 1));
  const monthEnd = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0));
  target.setUTCDate(Math.min(day, monthEnd.getUTCDate()));
  return target.toISOString().slice(0, 10);
}
