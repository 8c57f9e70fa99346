#!/usr/bin/env node
// The `glassnet` command. npm links it when it installs the package, which
// in a fresh clone is before `prepare` builds dist/, so this launcher is
// committed rather than built: a link to a file that does not exist yet is
// not made at all. The engine is set up before the command is loaded,
// because the import compiles nothing yet but everything after it may.
import { enableRelaxedSimd } from './engine.js';

enableRelaxedSimd();
await import('../dist/main.js');
