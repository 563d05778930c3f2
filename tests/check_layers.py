#!/usr/bin/python3
"""sim/ is layered (sim/CMakeLists.txt): a file may include headers of its own layer and of the layers before it,
never after. models/ builds on the engine and below; sim/cli/ on everything. Exits 1 listing each upward include."""
import os, re, sys

ORDER = ['base', 'numerics', 'engine', 'io', 'model_files', 'studies']
ALLOWED = {'models': ORDER.index('engine')}
root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..')
include = re.compile(r'#include "sim/([a-z_]+)/')
bad = []
for top, own_rank in [(f'sim/{layer}', i) for i, layer in enumerate(ORDER)] + [('models', ALLOWED['models'])]:
    folder = os.path.join(root, top)
    names = sorted(os.path.relpath(os.path.join(d, f), folder) for d, _, files in os.walk(folder) for f in files)
    for name in names:
        if not name.endswith(('.hpp', '.cpp')):
            continue
        with open(os.path.join(folder, name)) as source:
            for number, line in enumerate(source, 1):
                match = include.match(line)
                if not match or match.group(1) == 'cli':
                    continue
                target = match.group(1)
                if target not in ORDER:
                    bad.append(f'{top}/{name}:{number}: includes an unknown layer sim/{target}/')
                elif ORDER.index(target) > own_rank:
                    bad.append(f'{top}/{name}:{number}: {top} may not include sim/{target}/ (a later layer)')
print('\n'.join(bad) if bad else f'layers respected in sim/ and models/ ({" -> ".join(ORDER)})')
sys.exit(1 if bad else 0)
