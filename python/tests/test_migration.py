"""A script written for kafka-python runs on kfk after the import change
alone, with the same results."""
import re
import subprocess
import sys
import uuid
from pathlib import Path

APP = Path(__file__).parent / "scripts" / "kafka_python_app.py"


def run(script, bootstrap):
    suffix = uuid.uuid4().hex[:10]
    out = subprocess.run([sys.executable, str(script), bootstrap, "mig-" + suffix, "g-" + suffix],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


def test_kafka_python_script_runs_on_kfk_after_the_import_change(bootstrap, tmp_path):
    source = APP.read_text()
    changed = re.sub(r"^from kafka(\.| )", r"from kfk\1", source, flags=re.M)
    assert changed != source and "from kafka" not in changed
    ported = tmp_path / "kfk_app.py"
    ported.write_text(changed)

    with_kafka_python = run(APP, bootstrap)
    with_kfk = run(ported, bootstrap)
    assert with_kfk == with_kafka_python
    assert '"read": 301' in with_kfk and '"committed_is_end": true' in with_kfk
