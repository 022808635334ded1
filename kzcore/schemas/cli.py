"""``kz-schemas load [--overwrite] [--config FILE] [--dir DIR]``."""
import argparse
import sys

from kzcore.config import load_config
from kzcore.errors import KzError
from kzcore.schemas.loader import default_schema_dir, load_schemas


def _parser():
    parser = argparse.ArgumentParser(
        prog="kz-schemas", description="Manage the JSON schemas in the system_schemas database.")
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser("load", help="load schemas/*.json into system_schemas")
    load.add_argument("--overwrite", action="store_true",
                      help="replace schemas already in the database (default: only add missing ones)")
    load.add_argument("--config", metavar="FILE", help="TOML configuration file (else KZ_CONFIG)")
    load.add_argument("--dir", metavar="DIR", help="schema directory (default: %(default)s)",
                      default=str(default_schema_dir()))
    return parser


def main(argv=None):
    args = _parser().parse_args(argv)
    from kzcore.store.factory import make_store
    try:
        store = make_store(load_config(args.config))
        try:
            result = load_schemas(store, directory=args.dir, overwrite=args.overwrite)
        finally:
            store.close()
    except (KzError, OSError, ValueError) as exc:
        print(f"kz-schemas: {exc}", file=sys.stderr)
        return 1
    print(f"loaded {len(result['loaded'])}: {' '.join(result['loaded']) or '-'}")
    print(f"skipped {len(result['skipped'])}: {' '.join(result['skipped']) or '-'}")
    if not result["loaded"] and not result["skipped"]:
        print(f"kz-schemas: no schema files in {args.dir}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
