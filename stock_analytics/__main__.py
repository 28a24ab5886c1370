from stock_analytics.cli import main

raise SystemExit(main())
