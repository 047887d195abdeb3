// Serial errors users hit (user-asks §5) become typed errors with advice; port listing never rejects.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { listSerialPorts, looksLikeSo100Adapter } from '../../src/io/serial/portListing';
import {
  classifyOpenError,
  SerialPortBusyError,
  SerialPortIoError,
  SerialPortNotFoundError,
  SerialPortPermissionError,
} from '../../src/io/serial/serialPortErrors';

describe('classifyOpenError', () => {
  test("serialport's permission message → dialout / udev advice naming the path", () => {
    const err = classifyOpenError('/dev/ttyACM0', new Error('Error: Permission denied, cannot open /dev/ttyACM0'));
    assert.ok(err instanceof SerialPortPermissionError);
    assert.equal(err.path, '/dev/ttyACM0');
    assert.match(err.message, /permission denied opening \/dev\/ttyACM0/);
    assert.match(err.message, /usermod -aG dialout/);
    assert.match(err.message, /log out and back in/);
    assert.match(err.message, /udev rule/);
    assert.ok(
      classifyOpenError('/dev/x', Object.assign(new Error('open'), { code: 'EACCES' })) instanceof
        SerialPortPermissionError,
    );
  });

  test('a held lock or EBUSY → another program holds the port', () => {
    const err = classifyOpenError('/dev/ttyACM0', new Error('Error Resource temporarily unavailable Cannot lock port'));
    assert.ok(err instanceof SerialPortBusyError);
    assert.match(err.message, /LeRobot/);
    assert.match(err.message, /phosphobot/);
    assert.match(err.message, /fuser \/dev\/ttyACM0/);
    assert.ok(
      classifyOpenError('/dev/x', new Error('Error: Device or resource busy, cannot open /dev/x')) instanceof
        SerialPortBusyError,
    );
  });

  test('no such file → not found, listing the ports that do exist (or what to check when none do)', () => {
    const cause = new Error('Error: No such file or directory, cannot open /dev/ttyACM3');
    const some = classifyOpenError('/dev/ttyACM3', cause, ['/dev/ttyACM0 (likely the SO-100 adapter)', '/dev/ttyUSB0']);
    assert.ok(some instanceof SerialPortNotFoundError);
    assert.deepEqual(some.available, ['/dev/ttyACM0 (likely the SO-100 adapter)', '/dev/ttyUSB0']);
    assert.match(
      some.message,
      /no serial port \/dev\/ttyACM3\. Serial ports found: \/dev\/ttyACM0 \(likely the SO-100 adapter\), \/dev\/ttyUSB0/,
    );
    const none = classifyOpenError('/dev/ttyACM3', cause, []);
    assert.match(none.message, /No serial ports were found: check the USB cable/);
    assert.match(none.message, /brltty/);
    assert.equal(none.cause, cause);
  });

  test('anything else keeps the OS message', () => {
    const err = classifyOpenError(
      '/dev/ttyACM0',
      new Error('Error: Invalid argument setting custom baud rate of 1000000'),
    );
    assert.ok(err instanceof SerialPortIoError);
    assert.match(err.message, /^serial port \/dev\/ttyACM0: Invalid argument setting custom baud rate/);
  });
});

describe('listSerialPorts', () => {
  test('resolves on this machine even though SerialPort.list() cannot spawn udevadm here', async () => {
    const ports = await listSerialPorts();
    assert.ok(Array.isArray(ports));
  });

  test('a rejecting list() falls back to scanning /dev and reads USB ids from sysfs', async () => {
    const files: Record<string, string> = {
      '/sys/class/tty/ttyACM0/device/../idVendor': '1a86\n',
      '/sys/class/tty/ttyACM0/device/../idProduct': '55d3\n',
      '/sys/class/tty/ttyACM0/device/../product': 'USB Single Serial\n',
      '/sys/class/tty/ttyUSB1/device/../idVendor': '0403\n',
    };
    const ports = await listSerialPorts({
      platform: 'linux',
      list: () => Promise.reject(new Error('spawn udevadm ENOENT')),
      readdir: async () => ['ttyS0', 'ttyUSB1', 'ttyACM0', 'null', 'ttyACM10', 'ttyACM2'],
      readFile: async (f) => {
        if (f in files) return files[f];
        throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      },
    });
    assert.deepEqual(
      ports.map((p) => p.path),
      ['/dev/ttyACM0', '/dev/ttyACM2', '/dev/ttyACM10', '/dev/ttyUSB1'],
    );
    assert.deepEqual(ports[0], {
      path: '/dev/ttyACM0',
      vendorId: '1a86',
      productId: '55d3',
      likelySo100: true,
      source: 'scan',
    });
    assert.equal(ports.find((p) => p.path === '/dev/ttyUSB1')?.likelySo100, false);
  });

  test('macOS scan keeps usbmodem / wchusbserial names once', async () => {
    const ports = await listSerialPorts({
      platform: 'darwin',
      list: () => Promise.reject(new Error('no binding')),
      readdir: async () => [
        'tty.usbmodem58FA0',
        'cu.usbmodem58FA0',
        'tty.Bluetooth-Incoming-Port',
        'cu.wchusbserial1410',
      ],
    });
    assert.deepEqual(ports.map((p) => p.path).sort(), ['/dev/cu.wchusbserial1410', '/dev/tty.usbmodem58FA0']);
  });

  test('entries from list() are kept with CH34x adapters first; a synchronous throw and a failing scan give []', async () => {
    const ports = await listSerialPorts({
      list: async () => [
        { path: '/dev/ttyUSB0', vendorId: '0403', manufacturer: 'FTDI' },
        { path: '/dev/ttyACM1', vendorId: '1A86', productId: '55D3', manufacturer: 'wch.cn', serialNumber: '5A46' },
      ],
    });
    assert.deepEqual(
      ports.map((p) => [p.path, p.likelySo100, p.source]),
      [
        ['/dev/ttyACM1', true, 'serialport'],
        ['/dev/ttyUSB0', false, 'serialport'],
      ],
    );
    assert.equal(ports[0].vendorId, '1a86');
    const none = await listSerialPorts({
      platform: 'linux',
      list: () => {
        throw new Error('sync failure');
      },
      readdir: () => Promise.reject(new Error('EACCES')),
    });
    assert.deepEqual(none, []);
  });

  test('looksLikeSo100Adapter: WCH vendor id or chip names', () => {
    assert.equal(looksLikeSo100Adapter({ vendorId: '0x1a86' }), true);
    assert.equal(looksLikeSo100Adapter({ manufacturer: 'QinHeng Electronics' }), true);
    assert.equal(looksLikeSo100Adapter({ product: 'USB Single Serial' }), true);
    assert.equal(looksLikeSo100Adapter({ vendorId: '2341', manufacturer: 'Arduino (www.arduino.cc)' }), false);
  });
});
