from wildside.cli.main import run

run()
