"""Per-environment settings of the CDK app, as frozen dataclasses.

app.py picks one with ``-c env=dev|prod`` and hands its parts to the stacks as
keyword arguments; nothing below app.py reads CDK context. Every value is
checked when the dataclass is built, so a bad setting fails synth with a
message that names it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from etl.tables import PARTITION_YEARS

GLUE_WORKER_TYPES = frozenset({"G.025X", "G.1X", "G.2X", "G.4X", "G.8X"})
LOG_RETENTION_DAYS = frozenset({7, 14, 30, 60, 90, 180, 365})
# Fargate's valid CPU units -> the memory sizes (MiB) each one accepts.
FARGATE_MEMORY_BY_CPU: dict[int, frozenset[int]] = {
    256: frozenset({512, 1024, 2048}),
    512: frozenset(range(1024, 4097, 1024)),
    1024: frozenset(range(2048, 8193, 1024)),
    2048: frozenset(range(4096, 16385, 1024)),
    4096: frozenset(range(8192, 30721, 1024)),
}
_SCHEDULE = re.compile(r"^(cron|rate)\(.+\)$")
_CERTIFICATE_ARN = re.compile(r"^arn:aws[\w-]*:acm:[a-z0-9-]+:\d{12}:certificate/[\w-]+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-zA-Z]{2,}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
CLOUDFRONT_PRICE_CLASSES = frozenset({"PriceClass_100", "PriceClass_200", "PriceClass_All"})
EDGE_REGION = "us-east-1"
"""CloudFront's own region: its web ACLs and its viewer certificates live there."""


class ConfigError(ValueError):
    """A setting that cannot be deployed; the message names it."""


@dataclass(frozen=True, kw_only=True)
class PipelineConfig:
    """The ETL job, its triggers, the catalog and the Athena workgroup."""

    glue_worker_type: str = "G.1X"
    glue_workers: int = 2
    glue_timeout_minutes: int = 60
    schedule: str = "cron(0 6 * * ? *)"
    """EventBridge schedule expression for the periodic run (UTC)."""
    trigger_batch_window_seconds: int = 300
    """New raw objects within this window start one run, not one run each."""
    deploy_sample: bool = False
    """Upload the bundled sample CSV under the raw prefix at deploy time."""
    bytes_scanned_cutoff: int = 1_000_000_000
    """Athena cancels any query of the workgroup that scans more than this."""
    results_expiry_days: int = 7
    partition_years: tuple[int, int] = PARTITION_YEARS
    """The `year` values that partition projection enumerates: the ETL's accepted dates."""

    def __post_init__(self) -> None:
        if self.glue_worker_type not in GLUE_WORKER_TYPES:
            raise ConfigError(
                f"glue_worker_type {self.glue_worker_type!r} is not one of "
                f"{sorted(GLUE_WORKER_TYPES)}"
            )
        if self.glue_workers < 2:
            raise ConfigError(f"glue_workers must be at least 2, got {self.glue_workers}")
        if not 1 <= self.glue_timeout_minutes <= 2880:
            raise ConfigError("glue_timeout_minutes must lie in 1..2880")
        if not _SCHEDULE.match(self.schedule):
            raise ConfigError(
                f"schedule {self.schedule!r} is not an EventBridge expression "
                "like 'cron(0 6 * * ? *)' or 'rate(1 day)'"
            )
        if not 1 <= self.trigger_batch_window_seconds <= 900:
            raise ConfigError("trigger_batch_window_seconds must lie in 1..900")
        if self.bytes_scanned_cutoff < 10_000_000:
            raise ConfigError("bytes_scanned_cutoff must be at least 10 MB (Athena's minimum)")
        if self.results_expiry_days < 1:
            raise ConfigError("results_expiry_days must be at least 1")
        first, last = self.partition_years
        if not 1900 <= first < last <= 9999:
            raise ConfigError(f"partition_years {self.partition_years} is not a valid range")


@dataclass(frozen=True, kw_only=True)
class HttpsConfig:
    """Serve HTTPS with an ACM certificate; point `domain_name` at the ALB."""

    certificate_arn: str
    domain_name: str

    def __post_init__(self) -> None:
        if not _CERTIFICATE_ARN.match(self.certificate_arn):
            raise ConfigError(f"certificate_arn {self.certificate_arn!r} is not an ACM ARN")
        if not _DOMAIN.match(self.domain_name):
            raise ConfigError(f"domain_name {self.domain_name!r} is not a DNS name")


@dataclass(frozen=True, kw_only=True)
class EdgeConfig:
    """CloudFront in front of the load balancer, with a WAF web ACL (docs/deploy.md)."""

    rate_limit_per_5_minutes: int = 3000
    """Requests one client IP may send in any five minutes before WAF answers 429 (service-wide,
    counted at the edge; the API's in-process limiter stays as each task's own guard)."""
    price_class: str = "PriceClass_100"
    """Which edge locations serve: PriceClass_100 is North America and Europe (the cheapest)."""
    https: HttpsConfig | None = None
    """A custom domain for the distribution; its certificate must be in us-east-1. None: the
    distribution's own *.cloudfront.net name."""

    def __post_init__(self) -> None:
        if not 10 <= self.rate_limit_per_5_minutes <= 2_000_000_000:
            raise ConfigError("rate_limit_per_5_minutes must lie in 10..2000000000 (WAF's range)")
        if self.price_class not in CLOUDFRONT_PRICE_CLASSES:
            raise ConfigError(
                f"price_class {self.price_class!r} is not one of {sorted(CLOUDFRONT_PRICE_CLASSES)}"
            )
        if self.https is not None and f":acm:{EDGE_REGION}:" not in self.https.certificate_arn:
            raise ConfigError(
                f"edge certificate {self.https.certificate_arn!r}: CloudFront needs an ACM "
                f"certificate in {EDGE_REGION}"
            )


@dataclass(frozen=True, kw_only=True)
class ApiConfig:
    """The Fargate service that runs the GraphQL API."""

    cpu: int = 256
    memory_mib: int = 512
    desired_count: int = 1
    min_capacity: int = 1
    max_capacity: int = 2
    cpu_target_percent: int = 60
    requests_per_target: int = 500
    """Scale out when one task serves more requests than this per minute."""
    https: HttpsConfig | None = None
    allow_plain_http: bool = False
    """Only for dev: serve plain HTTP when no certificate is configured."""
    require_api_key: bool = False
    """Refuse requests without a key from the stack's API key secret (/health stays open)."""

    def __post_init__(self) -> None:
        memories = FARGATE_MEMORY_BY_CPU.get(self.cpu)
        if memories is None:
            raise ConfigError(f"cpu {self.cpu} is not one of {sorted(FARGATE_MEMORY_BY_CPU)}")
        if self.memory_mib not in memories:
            raise ConfigError(
                f"memory_mib {self.memory_mib} is not valid with cpu {self.cpu}: "
                f"choose one of {sorted(memories)}"
            )
        if not 1 <= self.min_capacity <= self.desired_count <= self.max_capacity:
            raise ConfigError("need 1 <= min_capacity <= desired_count <= max_capacity")
        if not 10 <= self.cpu_target_percent <= 90:
            raise ConfigError("cpu_target_percent must lie in 10..90")
        if self.requests_per_target < 1:
            raise ConfigError("requests_per_target must be positive")
        if self.https is None and not self.allow_plain_http:
            raise ConfigError(
                "this environment serves HTTPS only: pass "
                "-c certificate_arn=arn:aws:acm:... -c domain_name=api.example.com"
            )


@dataclass(frozen=True, kw_only=True)
class MonitoringConfig:
    """Alarm thresholds, and who hears about an alarm."""

    alarm_email: str | None = None
    """Subscribed to the alarm topic (confirm the e-mail AWS sends); None: no subscriber."""
    alb_5xx_per_5_minutes: int = 10
    """5xx responses (load balancer's and the API's) in five minutes that raise the alarm."""
    latency_p99_seconds: float = 3.0
    """The API's p99 response time that, held for ten minutes, raises the alarm."""
    athena_bytes_per_hour: int = 20_000_000_000
    """Bytes scanned by the workgroup in one hour that raise the alarm."""

    def __post_init__(self) -> None:
        if self.alarm_email is not None and not _EMAIL.match(self.alarm_email):
            raise ConfigError(f"alarm_email {self.alarm_email!r} is not an e-mail address")
        if self.alb_5xx_per_5_minutes < 1:
            raise ConfigError("alb_5xx_per_5_minutes must be at least 1")
        if not 0 < self.latency_p99_seconds <= 60:
            raise ConfigError("latency_p99_seconds must lie in (0, 60]")
        if self.athena_bytes_per_hour < 10_000_000:
            raise ConfigError("athena_bytes_per_hour must be at least 10 MB")


@dataclass(frozen=True, kw_only=True)
class EnvironmentConfig:
    """Everything one deployment (dev, prod) needs."""

    name: str
    pipeline: PipelineConfig
    api: ApiConfig
    monitoring: MonitoringConfig = MonitoringConfig()
    edge: EdgeConfig | None = None
    """CloudFront and WAF in front of the API; None: clients reach the load balancer."""
    region: str = "us-east-1"
    """Where to deploy unless `-c region=...` or the CLI's default region says otherwise."""
    log_retention_days: int = 30
    retain_data: bool = True
    """Keep the buckets (and their data) when the stacks are destroyed."""

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z][a-z0-9]{1,15}", self.name):
            raise ConfigError(f"environment name {self.name!r}: use 2-16 lowercase letters/digits")
        if not re.fullmatch(r"[a-z]{2}(-gov)?-[a-z]+-\d", self.region):
            raise ConfigError(f"region {self.region!r} is not an AWS region name")
        if self.log_retention_days not in LOG_RETENTION_DAYS:
            raise ConfigError(
                f"log_retention_days {self.log_retention_days} is not one of "
                f"{sorted(LOG_RETENTION_DAYS)}"
            )
        edge_https = self.edge.https if self.edge is not None else None
        api_https = self.api.https
        if edge_https and api_https and edge_https.domain_name == api_https.domain_name:
            raise ConfigError(
                f"domain_name {api_https.domain_name!r} is the load balancer's (CloudFront's "
                "origin); the distribution needs a name of its own (edge_domain_name)"
            )

    @property
    def resource_prefix(self) -> str:
        """Prefix of the names this environment gives its resources."""
        return f"stock-analytics-{self.name}"


def environment_config(
    name: str,
    *,
    region: str | None = None,
    certificate_arn: str | None = None,
    domain_name: str | None = None,
    alarm_email: str | None = None,
    edge: bool | None = None,
    edge_certificate_arn: str | None = None,
    edge_domain_name: str | None = None,
) -> EnvironmentConfig:
    """The settings of environment `name`, with overrides given on the command line.

    `edge` turns CloudFront and WAF on (or off) where the environment's default differs;
    prod always has them.
    """
    config = _named_config(name, _https(certificate_arn, domain_name))
    if region is not None:
        config = replace(config, region=region)
    edge_https = _https(edge_certificate_arn, edge_domain_name, option_prefix="edge_")
    config = _with_edge(config, edge, edge_https)
    if alarm_email is not None:
        config = replace(config, monitoring=replace(config.monitoring, alarm_email=alarm_email))
    return config


def _with_edge(
    config: EnvironmentConfig, enabled: bool | None, https: HttpsConfig | None
) -> EnvironmentConfig:
    if enabled is False and config.edge is not None:
        raise ConfigError(f"{config.name} always serves through CloudFront and WAF (edge=false)")
    edge = config.edge if config.edge is not None or not enabled else EdgeConfig()
    if https is not None:
        if edge is None:
            raise ConfigError(
                "edge_certificate_arn and edge_domain_name need the edge: -c edge=true"
            )
        edge = replace(edge, https=https)
    return replace(config, edge=edge)


def _https(
    certificate_arn: str | None, domain_name: str | None, *, option_prefix: str = ""
) -> HttpsConfig | None:
    if (certificate_arn is None) != (domain_name is None):
        raise ConfigError(
            f"{option_prefix}certificate_arn and {option_prefix}domain_name go together: "
            "give both or neither"
        )
    if certificate_arn is None or domain_name is None:
        return None
    return HttpsConfig(certificate_arn=certificate_arn, domain_name=domain_name)


def _named_config(name: str, https: HttpsConfig | None) -> EnvironmentConfig:
    if name == "dev":
        return EnvironmentConfig(
            name="dev",
            pipeline=PipelineConfig(deploy_sample=True),
            api=ApiConfig(https=https, allow_plain_http=True),
            log_retention_days=14,
            retain_data=False,
        )
    if name == "prod":
        return EnvironmentConfig(
            name="prod",
            pipeline=PipelineConfig(
                glue_workers=4,
                bytes_scanned_cutoff=10_000_000_000,
                results_expiry_days=30,
            ),
            api=ApiConfig(
                cpu=512,
                memory_mib=1024,
                desired_count=2,
                min_capacity=2,
                max_capacity=6,
                https=https,
                require_api_key=True,
            ),
            monitoring=MonitoringConfig(
                alb_5xx_per_5_minutes=5,
                latency_p99_seconds=2.0,
                athena_bytes_per_hour=100_000_000_000,
            ),
            edge=EdgeConfig(rate_limit_per_5_minutes=3000),
            log_retention_days=90,
            retain_data=True,
        )
    raise ConfigError(f"unknown environment {name!r}: choose one of ['dev', 'prod']")
