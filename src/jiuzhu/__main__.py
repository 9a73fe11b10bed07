from jiuzhu.manage import main

main()
