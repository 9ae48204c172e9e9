// @gatehouse/provider-aws-vpc-lattice: programs Amazon VPC Lattice from the desired state.
export const LATTICE_CONTROLLER = "gatehouse.dev/aws-vpc-lattice";
