// @gatehouse/provider-gcp: programs Google Cloud application load balancers from the desired state.
export const GCP_CONTROLLER = "gatehouse.dev/gcp";
