import { isIP } from "node:net";
import { FEATURE, type GatewaySpecAddress } from "@gatehouse/model";
import { isObj, show } from "../json.js";

const ADDRESS_TYPES = ["IPAddress", "Hostname", "NamedAddress"];

/**
 * spec.addresses with the default type applied, and why they cannot be accepted
 * (→ Accepted=False UnsupportedAddress). Whether an address is usable is the provider's
 * call (Programmed=False AddressNotUsable).
 */
export function checkAddresses(raw: unknown, features: readonly string[]): { addresses: GatewaySpecAddress[]; errors: string[] } {
  const list = Array.isArray(raw) ? raw : [];
  const addresses: GatewaySpecAddress[] = [];
  const errors: string[] = [];
  if (raw !== undefined && raw !== null && !Array.isArray(raw)) errors.push("spec.addresses: must be a list");
  if (list.length > 0 && !features.includes(FEATURE.GatewayStaticAddresses)) {
    errors.push("spec.addresses: this GatewayClass does not support requesting addresses (GatewayStaticAddresses)");
  }
  list.forEach((a, i) => {
    const p = `spec.addresses[${i}]`;
    if (!isObj(a)) return void errors.push(`${p}: must be an object`);
    const type = a.type === undefined || a.type === null ? "IPAddress" : a.type;
    const value = a.value === undefined || a.value === null ? "" : a.value;
    if (typeof type !== "string" || !ADDRESS_TYPES.includes(type)) {
      return void errors.push(`${p}.type: ${show(type)} is not supported (supported: ${ADDRESS_TYPES.join(", ")})`);
    }
    if (typeof value !== "string") return void errors.push(`${p}.value: must be a string`);
    if (value === "" && !features.includes("GatewayAddressEmpty")) {
      return void errors.push(`${p}.value: an empty value is not supported (GatewayAddressEmpty)`);
    }
    if (type === "IPAddress" && value !== "" && isIP(value) === 0) {
      return void errors.push(`${p}.value: ${show(value)} is not an IP address`);
    }
    addresses.push({ type, value });
  });
  return { addresses, errors };
}
