/**
 * The $/GPU-hour of a device group: the scenario's `fleet.groups.<name>.pricePerGpuHour`, else the
 * first `pricing` entry of the group's hardware file (profiles/hardware/<profile's hardware>.yaml),
 * else none. Used by the fleet summary and by `llmsim capacity`. See docs/fleet.md.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SHIPPED_PROFILES_DIR } from '../profiles/catalog.js';
import { loadHardware, type GpuPrice } from '../profiles/hardware.js';

export interface GroupPrice {
  readonly usdPerGpuHour: number;
  /** Where the price comes from: `scenario`, or the hardware file and the page it cites. */
  readonly source: string;
}

const byHardware = new Map<string, GpuPrice | null>();

/** The default price entry of hardware `id` (a file in profiles/hardware/), or undefined. */
export function hardwarePrice(id: string | undefined): GpuPrice | undefined {
  if (id === undefined || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) return undefined;
  let price = byHardware.get(id);
  if (price === undefined) {
    const file = join(SHIPPED_PROFILES_DIR, 'hardware', `${id}.yaml`);
    price = existsSync(file) ? (loadHardware(file).pricing?.[0] ?? null) : null;
    byHardware.set(id, price);
  }
  return price ?? undefined;
}

/** One line naming a hardware file's price and the page it comes from. */
export function describePrice(id: string, p: GpuPrice): string {
  return `profiles/hardware/${id}.yaml: ${p.provider} ${p.offer}, ${p.billing}, ${p.date} (${p.url})`;
}

/** The group's price: the scenario's when it gives one, else its hardware file's, else undefined. */
export function groupPrice(scenarioPrice: number | undefined, hardware: string | undefined): GroupPrice | undefined {
  if (scenarioPrice !== undefined) return { usdPerGpuHour: scenarioPrice, source: 'scenario' };
  const p = hardwarePrice(hardware);
  return p && { usdPerGpuHour: p.usdPerGpuHour, source: describePrice(hardware!, p) };
}
