// Typed serial-port errors whose messages say how to fix the cause (reference user-asks §5).
import type { PortHolder } from './portHolders';

/** Base class: something went wrong opening or using a serial port. `path` names the port. */
export class SerialPortError extends Error {
  override name = 'SerialPortError';
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The OS refused access to the device file (EACCES). */
export class SerialPortPermissionError extends SerialPortError {
  override name = 'SerialPortPermissionError';
  constructor(path: string, cause?: unknown) {
    super(
      path,
      `permission denied opening ${path}. On Linux add yourself to the "dialout" group ` +
        `(sudo usermod -aG dialout $USER), then log out and back in; or install a udev rule such as ` +
        `SUBSYSTEM=="tty", ATTRS{idVendor}=="1a86", MODE="0666" in /etc/udev/rules.d/99-so100.rules ` +
        `and run "sudo udevadm control --reload && sudo udevadm trigger". A quick test: sudo chmod 666 ${path} ` +
        `(lasts until the adapter is replugged).`,
      { cause },
    );
  }
}

/** Another process holds the port (EBUSY, or serialport's exclusive lock). */
export class SerialPortBusyError extends SerialPortError {
  override name = 'SerialPortBusyError';
  constructor(
    path: string,
    cause?: unknown,
    readonly holders: readonly PortHolder[] = [],
  ) {
    const who =
      holders.length > 0
        ? ` It is held by ${holders.map((h) => `${h.command} (pid ${h.pid})`).join(', ')}.`
        : ` "fuser ${path}" or "lsof ${path}" shows who holds it.`;
    super(
      path,
      `${path} is in use by another program: close LeRobot (lerobot-teleoperate, lerobot-record, a calibration), ` +
        `phosphobot, a serial terminal (screen, minicom, Arduino IDE) or another SO-100 Policy Lab session, ` +
        `then try again.${who}`,
      { cause },
    );
  }
}

/** No device at that path (ENOENT). `available` lists the ports that do exist. */
export class SerialPortNotFoundError extends SerialPortError {
  override name = 'SerialPortNotFoundError';
  constructor(
    path: string,
    readonly available: readonly string[],
    cause?: unknown,
  ) {
    const found = available.length
      ? `Serial ports found: ${available.join(', ')}.`
      : 'No serial ports were found: check the USB cable and that the adapter board is powered; ' +
        'if lsusb shows the adapter but no /dev/ttyACM* or /dev/ttyUSB* appears, on Ubuntu the "brltty" ' +
        'package may be claiming CH340 adapters (sudo apt remove brltty), and check "sudo dmesg" for the driver.';
    super(
      path,
      `no serial port ${path}. ${found} To tell which one is the arm, unplug its adapter and see which port disappears.`,
      { cause },
    );
  }
}

/** The port went away while open (adapter unplugged, simulator stopped). */
export class SerialPortDisconnectedError extends SerialPortError {
  override name = 'SerialPortDisconnectedError';
  constructor(path: string, cause?: unknown) {
    super(
      path,
      `${path} disconnected: the USB adapter was unplugged or lost power, or the simulator behind it stopped. ` +
        `Reconnect it and connect again (the port name may change after replugging).`,
      { cause },
    );
  }
}

/** Any other open/IO failure, with the OS message. */
export class SerialPortIoError extends SerialPortError {
  override name = 'SerialPortIoError';
  constructor(path: string, detail: string, cause?: unknown) {
    super(path, `serial port ${path}: ${detail}`, { cause });
  }
}

/**
 * The native serial-port binding cannot be loaded here (no prebuilt binding for this platform, or one that does not
 * load): no real port can be opened, so nothing was sent to an arm; the simulator needs no binding.
 */
export class SerialBindingUnavailableError extends SerialPortError {
  override name = 'SerialBindingUnavailableError';
  constructor(
    path: string,
    readonly platform: string,
    readonly supported: readonly string[],
    cause?: unknown,
  ) {
    const reason = String(cause instanceof Error ? cause.message : cause)
      .split('\n')[0]
      .trim();
    super(
      path,
      `cannot open ${path}: the native serial-port driver does not load on this platform (${platform})` +
        `${reason ? ` — ${reason}` : ''}. SO-100 Policy Lab carries it for ${supported.join(', ')}. ` +
        `The simulated arm works everywhere: set "robot.port": "sim" in so100.json. For a real arm, use one of ` +
        `those platforms, or run from a source checkout, where "npm rebuild @serialport/bindings-cpp" compiles ` +
        `the driver for this machine (needs Python and a C++ compiler).`,
      { cause },
    );
  }
}

/** The error to report for a failed open, from serialport's message or an errno code. */
export function classifyOpenError(
  path: string,
  err: unknown,
  available: readonly string[] = [],
  holders: readonly PortHolder[] = [],
): SerialPortError {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'EACCES' || code === 'EPERM' || /permission denied|EACCES/i.test(message))
    return new SerialPortPermissionError(path, err);
  if (code === 'EBUSY' || /cannot lock port|resource busy|EBUSY/i.test(message))
    return new SerialPortBusyError(path, err, holders);
  if (code === 'ENOENT' || /no such file or directory|ENOENT/i.test(message))
    return new SerialPortNotFoundError(path, available, err);
  return new SerialPortIoError(path, message.replace(/^Error:?\s*/, ''), err);
}
