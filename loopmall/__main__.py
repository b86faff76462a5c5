from loopmall.cli import main

main()
