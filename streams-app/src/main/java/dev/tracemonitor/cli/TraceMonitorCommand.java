package dev.tracemonitor.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code trace-monitor} executable: one command with a subcommand per task. */
@Command(name = "trace-monitor", mixinStandardHelpOptions = true, version = "trace-monitor 0.1.0",
        description = "Production quality monitoring for GenAI traces on Kafka, written to Delta Lake.",
        subcommands = {QuickstartCommand.class, RunCommand.class, MonitorCommand.class, EvaluateCommand.class,
                DlqCommand.class, BackfillCommand.class})
public final class TraceMonitorCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new TraceMonitorCommand()).execute(args));
    }
}
