// The routing table names the daemon reads, in the config file and on the
// CLI alike: iproute2's reserved names (/etc/iproute2/rt_tables). Other
// names are given by number, since the daemon does not read rt_tables.
export const TABLE_NAMES = { default: 253, main: 254, local: 255 } as const;
