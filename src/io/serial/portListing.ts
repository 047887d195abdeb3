// Lists serial ports without ever failing: serialport's list() first, a /dev scan when it cannot run
// (on Linux it spawns udevadm, which minimal systems and containers lack — reference §7).
import { readdir, readFile } from 'node:fs/promises';
import { basename } from 'node:path';

/** One serial port, with what is known about the adapter behind it. */
export interface PortInfo {
  readonly path: string;
  /** USB vendor id, lower-case hex without 0x ("1a86"), when known. */
  readonly vendorId?: string;
  readonly productId?: string;
  readonly manufacturer?: string;
  readonly serialNumber?: string;
  /** True when the adapter looks like the SO-100's bus board (WCH CH340/CH343, vendor 1a86). */
  readonly likelySo100: boolean;
  /** Where the entry came from: serialport's enumeration or the fallback /dev scan. */
  readonly source: 'serialport' | 'scan';
}

/** Raw entry as serialport reports it. */
export interface ListedPort {
  path: string;
  manufacturer?: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
}

/** Injection points for tests; the defaults touch the real system. */
export interface PortListingDeps {
  readonly list?: () => Promise<ListedPort[]>;
  readonly readdir?: (dir: string) => Promise<string[]>;
  readonly readFile?: (file: string) => Promise<string>;
  readonly platform?: NodeJS.Platform;
}

/** WCH (QinHeng), maker of the CH340/CH341/CH343 USB-serial chips on the SO-100 bus boards. */
const WCH_VENDOR_ID = '1a86';
const ADAPTER_NAME = /\b(wch|qinheng|ch34\d|usb single serial)\b/i;

/** Every serial port that looks like a USB adapter; resolves to [] rather than rejecting. */
export async function listSerialPorts(deps: PortListingDeps = {}): Promise<PortInfo[]> {
  const platform = deps.platform ?? process.platform;
  let listed: ListedPort[] | undefined;
  try {
    // Loaded on demand: the native binding is needed only when ports are really used.
    listed = await (deps.list ?? (async () => (await import('serialport')).SerialPort.list()))();
  } catch {
    listed = undefined; // e.g. "spawn udevadm ENOENT": fall back to scanning /dev
  }
  if (listed && listed.length > 0) {
    return sortPorts(
      listed.filter((p) => typeof p.path === 'string' && p.path !== '').map((p) => describe(p, 'serialport')),
    );
  }
  try {
    return sortPorts(await scanDev(platform, deps));
  } catch {
    return [];
  }
}

/** Whether vendor id or names point at a WCH CH34x adapter. */
export function looksLikeSo100Adapter(
  port: Pick<ListedPort, 'vendorId' | 'manufacturer'> & { product?: string },
): boolean {
  if (port.vendorId && normalizeHexId(port.vendorId) === WCH_VENDOR_ID) return true;
  return [port.manufacturer, port.product].some((name) => name !== undefined && ADAPTER_NAME.test(name));
}

function describe(p: ListedPort & { product?: string }, source: PortInfo['source']): PortInfo {
  const info: { -readonly [K in keyof PortInfo]: PortInfo[K] } = {
    path: p.path,
    likelySo100: looksLikeSo100Adapter(p),
    source,
  };
  if (p.vendorId) info.vendorId = normalizeHexId(p.vendorId);
  if (p.productId) info.productId = normalizeHexId(p.productId);
  if (p.manufacturer) info.manufacturer = p.manufacturer;
  if (p.serialNumber) info.serialNumber = p.serialNumber;
  return info;
}

function normalizeHexId(id: string): string {
  return id.trim().toLowerCase().replace(/^0x/, '').padStart(4, '0');
}

const PATTERNS: Partial<Record<NodeJS.Platform, RegExp>> = {
  linux: /^tty(ACM|USB)\d+$/,
  darwin: /^(tty|cu)\.(usbmodem|usbserial|wchusbserial)/,
};

async function scanDev(platform: NodeJS.Platform, deps: PortListingDeps): Promise<PortInfo[]> {
  const pattern = PATTERNS[platform];
  if (!pattern) return [];
  const names = (await (deps.readdir ?? ((d: string) => readdir(d)))('/dev')).filter((n) => pattern.test(n));
  // macOS lists each adapter twice (tty.* and cu.*); keep the tty.* name the user sees in guides.
  const kept =
    platform === 'darwin' ? names.filter((n) => n.startsWith('tty.') || !names.includes(`tty.${n.slice(3)}`)) : names;
  return Promise.all(
    kept.map(async (name) => {
      const path = `/dev/${name}`;
      return describe({ path, ...(platform === 'linux' ? await sysfsUsbInfo(name, deps) : {}) }, 'scan');
    }),
  );
}

/** USB attributes of a tty from sysfs (the interface's parent device), or {} when unreadable. */
async function sysfsUsbInfo(
  ttyName: string,
  deps: PortListingDeps,
): Promise<Partial<ListedPort> & { product?: string }> {
  const read = deps.readFile ?? ((f: string) => readFile(f, 'utf8'));
  const dir = `/sys/class/tty/${basename(ttyName)}/device/..`;
  const attr = async (name: string) => {
    try {
      const text = (await read(`${dir}/${name}`)).trim();
      return text === '' ? undefined : text;
    } catch {
      return undefined;
    }
  };
  const [vendorId, productId, manufacturer, product, serialNumber] = await Promise.all(
    ['idVendor', 'idProduct', 'manufacturer', 'product', 'serial'].map(attr),
  );
  const out: Partial<ListedPort> & { product?: string } = {};
  if (vendorId) out.vendorId = vendorId;
  if (productId) out.productId = productId;
  if (manufacturer) out.manufacturer = manufacturer;
  if (product) out.product = product;
  if (serialNumber) out.serialNumber = serialNumber;
  return out;
}

function sortPorts(ports: PortInfo[]): PortInfo[] {
  // Likely SO-100 adapters first, then by name with numbers in order (ttyACM2 before ttyACM10).
  return ports.sort(
    (a, b) => Number(b.likelySo100) - Number(a.likelySo100) || a.path.localeCompare(b.path, 'en', { numeric: true }),
  );
}
