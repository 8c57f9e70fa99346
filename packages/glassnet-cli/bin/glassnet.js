#!/usr/bin/env node
// The `glassnet` command. npm links it when it installs the package, which
// in a fresh clone is before `prepare` builds dist/, so this launcher is
// committed rather than built: a link to a file that does not exist yet is
// not made at all.
import '../dist/main.js';
