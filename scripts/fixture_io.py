"""Writing committed JSON fixtures: the same way for every generator script."""
import json
import os
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "test", "fixtures")


def write_json(name, header, payload):
    os.makedirs(OUT_DIR, exist_ok=True)
    # allow_nan=False: a NaN would serialise as non-JSON that JSON.parse rejects.
    text = json.dumps({**header, **payload}, indent=1, sort_keys=True, allow_nan=False) + "\n"
    # Temp file in the same directory so os.replace is an atomic rename.
    fd, tmp = tempfile.mkstemp(prefix=name, suffix=".tmp", dir=OUT_DIR)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(tmp, 0o644)  # mkstemp creates 0600; these are ordinary committed files
    os.replace(tmp, os.path.join(OUT_DIR, name))
    print(f"wrote test/fixtures/{name}")
