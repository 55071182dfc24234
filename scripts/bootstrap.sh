#!/usr/bin/env bash
# Creates .venv with a Python >= 3.12 and installs the locked dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

works() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }

find_python() {
    for candidate in python3.13 python3.12 python3; do
        if command -v "$candidate" >/dev/null 2>&1 && works "$candidate"; then
            command -v "$candidate"; return 0
        fi
    done
    if command -v pyenv >/dev/null 2>&1; then
        for dir in $(ls -d "$(pyenv root)"/versions/3.1[2-9]* 2>/dev/null | sort -rV); do
            if works "$dir/bin/python3"; then echo "$dir/bin/python3"; return 0; fi
        done
    fi
    return 1
}

if [[ -x .venv/bin/python ]] && works .venv/bin/python; then
    PYTHON=.venv/bin/python
else
    if ! PYTHON=$(find_python); then
        echo "ERROR: Python 3.12 or newer is needed (Django 6). Install python3.12 or python3.13," >&2
        echo "       e.g. 'apt-get install python3.12' or 'pyenv install 3.13', then run make again." >&2
        exit 1
    fi
    echo "Creating .venv with $PYTHON ($("$PYTHON" --version))"
    rm -rf .venv
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check uv
.venv/bin/python -m uv pip install -q --python .venv/bin/python -r requirements/lock.txt
touch .venv/.installed
