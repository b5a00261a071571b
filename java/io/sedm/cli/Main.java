package io.sedm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code sedm} command tree. */
@Command(
        name = "sedm",
        mixinStandardHelpOptions = true,
        version = "sedm 0.1.0",
        description = "Score-based diffusion models on libtorch: EDM, DG, ES and SEDM-G++ sampling and training.",
        subcommands = {
            DemoCommand.class,
            SampleCommand.class,
            ServeCommand.class,
            TrainCommand.class,
            TrainClassifierCommand.class,
            TrainDiscriminatorCommand.class,
            TrainFeaturesCommand.class,
            EvalCommand.class,
            StudyCommand.class,
            LikelihoodCommand.class,
            ModelInfoCommand.class,
            InfoCommand.class,
            ImportCommand.class,
            ExportCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Builds the command line with the project's error handling (messages, not stack traces). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine bad = ex.getCommandLine();
            String path = bad.getCommandSpec().qualifiedName();
            bad.getErr().println(path + ": " + ex.getMessage());
            bad.getErr().println("see '" + path + " --help'");
            bad.getErr().flush();
            return bad.getCommandSpec().exitCodeOnInvalidInput();
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": " + ex.getMessage());
            if (Boolean.getBoolean("sedm.debug")) {
                ex.printStackTrace(commandLine.getErr());
            }
            return ex instanceof IllegalArgumentException ? 2 : 1;
        });
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
