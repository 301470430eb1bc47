from app.prefill_cli import main

if __name__ == "__main__":
    raise SystemExit(main())
