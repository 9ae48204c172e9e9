// TagResource, UntagResource, ListTagsForResource on the ARNs of the fake's resources.
import { notFound, validation } from "../errors.js";
import type { Store } from "../store.js";
import { Check, P } from "../validate.js";
import { label, type Handler } from "./common.js";

function arnOf(s: Store, c: Check, r: Parameters<Handler>[1]): () => string {
  const arn = label(c, r, "resourceArn", P.arn, 0, 1224);
  return () => {
    if (!s.hasArn(arn)) throw notFound("RESOURCE", arn, "resource");
    return arn;
  };
}

export const tagResource: Handler = (s, r) => {
  const c = new Check();
  const arn = arnOf(s, c, r);
  const tags = c.tags("tags", r.body["tags"]);
  if (r.body["tags"] === undefined) c.missing("tags");
  c.done();
  const a = arn();
  const merged = { ...(s.tags.get(a) ?? {}), ...tags };
  if (Object.keys(merged).length > 50) {
    throw validation([{ name: "tags", message: `A resource can have at most 50 tags; this would make ${Object.keys(merged).length}.` }], "other");
  }
  s.setTags(a, tags);
  return {};
};

export const untagResource: Handler = (s, r) => {
  const c = new Check();
  const arn = arnOf(s, c, r);
  const keys = r.query.getAll("tagKeys");
  if (!r.query.has("tagKeys")) c.missing("tagKeys");
  c.list("tagKeys", keys, { max: 200 });
  keys.forEach((k, i) => c.str(`tagKeys.${i + 1}.member`, k, { min: 1, max: 128 }));
  c.done();
  const a = arn();
  const cur = s.tags.get(a) ?? {};
  for (const k of keys) delete cur[k];
  s.tags.set(a, cur);
  return {};
};

export const listTagsForResource: Handler = (s, r) => {
  const c = new Check();
  const arn = arnOf(s, c, r);
  c.done();
  return { tags: { ...(s.tags.get(arn()) ?? {}) } };
};
