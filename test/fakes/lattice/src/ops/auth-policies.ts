// PutAuthPolicy, GetAuthPolicy, DeleteAuthPolicy on a service or service network. The policy
// is Active when the resource's authType is AWS_IAM, Inactive otherwise.
import { invalid, notFound } from "../errors.js";
import { iso } from "../clock.js";
import type { Store } from "../store.js";
import { Check, P } from "../validate.js";
import { label, type Handler } from "./common.js";

function resource(s: Store, identifier: string): { id: string; authType: string } {
  return identifier.includes("servicenetwork/") || identifier.startsWith("sn-") ? s.serviceNetwork(identifier) : s.service(identifier);
}

export const putAuthPolicy: Handler = (s, r) => {
  const c = new Check();
  const ident = label(c, r, "resourceIdentifier", P.authResourceId, 17, 200);
  const policy = c.str("policy", r.body["policy"], { required: true, min: 0, max: 36864 });
  c.done();
  const res = resource(s, ident);
  if (Buffer.byteLength(policy!) > 10 * 1024) throw invalid("An auth policy can be at most 10 KB.", "policy");
  try {
    const doc = JSON.parse(policy!) as unknown;
    if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new Error("not an object");
  } catch {
    throw invalid("The auth policy is not a valid JSON policy document.", "policy");
  }
  const now = s.now();
  const prior = s.authPolicies.get(res.id);
  s.authPolicies.set(res.id, { policy: policy!, createdAt: prior?.createdAt ?? now, lastUpdatedAt: now });
  return { policy: policy!, state: res.authType === "AWS_IAM" ? "Active" : "Inactive" };
};

export const getAuthPolicy: Handler = (s, r) => {
  const c = new Check();
  const ident = label(c, r, "resourceIdentifier", P.authResourceId, 17, 200);
  c.done();
  const res = resource(s, ident);
  const p = s.authPolicies.get(res.id);
  if (!p) throw notFound("AUTH_POLICY", ident, "auth policy of");
  return { policy: p.policy, state: res.authType === "AWS_IAM" ? "Active" : "Inactive", createdAt: iso(p.createdAt), lastUpdatedAt: iso(p.lastUpdatedAt) };
};

export const deleteAuthPolicy: Handler = (s, r) => {
  const c = new Check();
  const ident = label(c, r, "resourceIdentifier", P.authResourceId, 17, 200);
  c.done();
  const res = resource(s, ident);
  s.authPolicies.delete(res.id);
  return undefined;
};
