import HindsightCLI

await HindsightCLI.main()
