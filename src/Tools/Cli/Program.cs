return DenseAm.Cli.CliApp.Run(args);
