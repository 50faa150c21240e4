from dondoc.bot.cli import main

main()
