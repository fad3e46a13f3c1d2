"""The README's Python example runs as written (broker and topic swapped for
the test's)."""
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_example_produces_and_consumes(bootstrap, topic_name):
    section = README.read_text().split("## Python", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert "127.0.0.1:9092" in code and '"events"' in code
    code = code.replace("127.0.0.1:9092", bootstrap).replace('"events"', repr(topic_name))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    metadata, record = out.stdout.strip().splitlines()
    assert metadata.startswith("RecordMetadata(topic=%r, partition=0," % topic_name)
    assert record == "0 b'user-1' b'signed up'"
