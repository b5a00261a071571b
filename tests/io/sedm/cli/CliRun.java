package io.sedm.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs one {@code sedm} command line in-process and captures its exit code, stdout and stderr. */
final class CliRun {
    private CliRun() {}

    record Result(int rc, String out, String err) {}

    static Result run(String... args) {
        StringWriter err = new StringWriter();
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        try {
            CommandLine cl = Main.commandLine();
            cl.setErr(new PrintWriter(err, true));
            int rc = cl.execute(args);
            return new Result(rc, out.toString(), err.toString());
        } finally {
            System.setOut(old);
        }
    }
}
