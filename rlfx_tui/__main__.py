from rlfx_tui.cli import main

raise SystemExit(main())
