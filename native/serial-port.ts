import { read } from 'node:fs';
import { promisify } from 'node:util';
import { autoDetect } from '@serialport/bindings-cpp';
import type { AutoDetectTypes, OpenOptionsFromBinding } from '@serialport/bindings-cpp';
import { unixRead } from '@serialport/bindings-cpp/dist/unix-read.js';
import { SerialPortStream } from '@serialport/stream';

const detected = autoDetect();
const readAsync = promisify(read);

type UnixPort = Parameters<typeof unixRead>[0]['binding'];

/** What a read of a hung-up line rejects with; the stream takes it as a lost device and closes. */
export class SerialHangupError extends Error {
  readonly code = 'EOF';
  readonly disconnect = true;
}

/**
 * A read that takes 0 bytes for what it is on a tty: the device hung up. With O_NONBLOCK an empty
 * line answers EAGAIN; 0 bytes (end of file) comes only from a line that is gone, and every read
 * after it gives 0 again.
 */
const readOrHangup: typeof readAsync = (async (fd: number, buffer: Buffer, offset: number, length: number) => {
  const done = await readAsync(fd, buffer, offset, length, null);
  if (done.bytesRead === 0 && length > 0) throw new SerialHangupError('the device hung up (read reached end of file)');
  return done;
}) as typeof readAsync;

/**
 * The platform's serial binding, except that a unix port's read ends when its device hangs up.
 *
 * Linux hangs up a tty whose device went away (a USB-serial adapter pulled out, a pty whose other
 * side closed): poll reports it, and every read returns 0 bytes. @serialport/bindings-cpp 13 reads
 * again on 0 bytes without end (serialport/bindings-cpp#162). A read parked in poll sees the hang-up
 * as an error and the port closes; but a read that starts after it — one queued behind the last
 * bytes the device sent, on a loaded machine — spins forever on a libuv thread, the port never
 * closes, and a driver never learns to reopen it. Here that read rejects, and the stream closes
 * with a disconnect as for any other lost device.
 */
const hangupAwareBinding: AutoDetectTypes = {
  list: () => detected.list(),
  async open(options: OpenOptionsFromBinding<AutoDetectTypes>) {
    const port = await detected.open(options as never);
    if (process.platform !== 'win32') {
      const unix = port as UnixPort;
      unix.read = (buffer, offset, length) => unixRead({ binding: unix, buffer, offset, length, fsReadAsync: readOrHangup });
    }
    return port;
  },
} as AutoDetectTypes;

/**
 * The line settings every serial device here is opened with. Not termios' VMIN/VTIME: with both 0
 * a read of a quiet line returns 0 bytes too, and it would be taken for a hang-up.
 */
export type SerialPortOptions = Omit<OpenOptionsFromBinding<AutoDetectTypes>, 'vmin' | 'vtime'>;

/** A serial port (not yet open: call `open`) that closes with a disconnect when its device hangs up. */
export function serialPort(options: SerialPortOptions): SerialPortStream<AutoDetectTypes> {
  // VMIN 1, VTIME 0 (the binding's defaults, pinned): an empty line answers EAGAIN, so 0 bytes is a hang-up.
  return new SerialPortStream({ ...options, vmin: 1, vtime: 0, binding: hangupAwareBinding, autoOpen: false });
}
