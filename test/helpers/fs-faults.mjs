// Preloaded with `node --import` into a glassnet process under test: makes
// file-system calls fail as a full disk or a failing device would, without
// needing either. GLASSNET_TEST_FAULT is JSON:
//   { "code": "ENOSPC", "op": "write" | "open" | "rename" | "sync", "match": "substring of the path" }
// A write fails after writing half of the data, as a filling disk does.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const fault = JSON.parse(process.env.GLASSNET_TEST_FAULT ?? 'null');
if (fault !== null) {
  const promises = fs.promises;
  const fail = (syscall, path) => Object.assign(new Error(`${fault.code}: simulated failure, ${syscall} '${path}'`), { code: fault.code, syscall, path });
  const matches = (path) => String(path).includes(fault.match);
  const open = promises.open;
  promises.open = async (path, ...rest) => {
    if (fault.op === 'open' && matches(path)) throw fail('open', path);
    const handle = await open(path, ...rest);
    if (!matches(path)) return handle;
    if (fault.op === 'write') {
      handle.writeFile = async (data) => {
        const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data);
        await handle.write(bytes.subarray(0, bytes.length >> 1));
        throw fail('write', path);
      };
    }
    if (fault.op === 'sync') handle.sync = async () => { throw fail('fsync', path); };
    return handle;
  };
  const rename = promises.rename;
  promises.rename = async (from, to) => {
    if (fault.op === 'rename' && matches(to)) throw fail('rename', to);
    return rename(from, to);
  };
  syncBuiltinESMExports();
}
