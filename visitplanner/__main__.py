from visitplanner.cli import main

main()
