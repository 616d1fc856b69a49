from leados.cli import main

raise SystemExit(main())
