"""Reading the JSON lines of a benchmark run: {case: {system: seconds}}."""
import collections
import json


def load_seconds(folder, pattern):
    rows = collections.defaultdict(dict)
    for path in sorted(folder.glob(pattern)):
        for line in path.read_text().splitlines():
            r = json.loads(line)
            rows[r["case"]][r["system"]] = r["seconds"]
    return rows
