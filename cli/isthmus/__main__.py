from isthmus.main import cli

cli(prog_name="isthmus")
