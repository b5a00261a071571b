package io.sedm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.sedm.dist.GradientReducer;
import io.sedm.dist.ProcessGroup;
import io.sedm.runtime.DeviceOutOfMemoryException;
import io.sedm.train.AuxiliaryTrainer;
import io.sedm.train.Checkpoint;
import io.sedm.train.RunDirectory;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/**
 * The part {@code sedm train-classifier} and {@code sedm train-discriminator} share: the resumed
 * Adam settings, and the run itself: run folder, options.json, the loop with progress and a log
 * line every {@code logEvery} steps, the Ctrl-C checkpoint with its resume hint (exit 130), the
 * final checkpoint, and removal of a run folder that got no checkpoint.
 *
 * @param command the subcommand ("train-classifier")
 * @param file checkpoint file name ("classifier"; "classifier-00000042" when interrupted)
 * @param loss the loss in log lines ("ce")
 * @param resumeFlags flags the resume hint repeats before {@code --resume} ("" or "--classifier … ")
 */
record AuxiliaryRun(
        String command,
        String file,
        String loss,
        Path outdir,
        String desc,
        long logEvery,
        boolean quiet,
        Path resume,
        Checkpoint checkpoint,
        String notes,
        String resumeFlags) {

    /** The Adam settings a resumed run continues with, and its data limit and log note. */
    record Resumed<O>(O options, int dataLimit, String notes) {}

    /** Builds a trainer's options record from its components. */
    @FunctionalInterface
    interface OptionsFactory<O> {
        O of(int batchSize, double lr, double weightDecay, double tauMin, long seed, long steps);
    }

    /**
     * The checkpoint's settings, with the flags in {@code s} checked against them (--steps may
     * change); throws when a flag conflicts or the run is already at --steps.
     */
    static <O extends AuxiliaryTrainer.Settings> Resumed<O> resumed(
            ResumedSettings s,
            Checkpoint ckpt,
            Path resume,
            Class<O> type,
            O given,
            int dataLimit,
            OptionsFactory<O> make) {
        O rec = ckpt.training(type);
        int limit = s.keep(
                "--data-limit", ckpt.json().path("run").path("data_limit").asInt(dataLimit), dataLimit);
        O opts = make.of(
                s.keep("--batch", rec.batchSize(), given.batchSize()),
                s.keep("--lr", rec.lr(), given.lr()),
                s.keep("--weight-decay", rec.weightDecay(), given.weightDecay()),
                rec.tauMin(),
                s.keep("--seed", rec.seed(), given.seed()),
                s.override("--steps", rec.steps(), given.steps()));
        s.check();
        TrainCommand.require(
                opts.steps() > ckpt.step(),
                "--resume " + resume + " is at step " + ckpt.step() + "; pass a larger --steps to continue it");
        return new Resumed<>(opts, limit, s.notes());
    }

    /** Opens the trainer; anything else it opens goes to {@code owned}, closed after the trainer. */
    @FunctionalInterface
    interface Opener<T extends AuxiliaryTrainer> {
        T open(Owned owned) throws Exception;
    }

    /** Work after the last step, before the final checkpoint. */
    @FunctionalInterface
    interface Finish<T extends AuxiliaryTrainer> {
        void accept(T trainer, RunDirectory run);
    }

    /** Resources closed in reverse order of {@link #add}, like try-with-resources. */
    static final class Owned implements AutoCloseable {
        private final Deque<AutoCloseable> items = new ArrayDeque<>();

        <C extends AutoCloseable> C add(C c) {
            items.push(c);
            return c;
        }

        @Override
        public void close() {
            RuntimeException failure = null;
            while (!items.isEmpty()) {
                try {
                    items.pop().close();
                } catch (Exception e) {
                    RuntimeException r = e instanceof RuntimeException re ? re : new IllegalStateException(e);
                    if (failure == null) failure = r;
                    else failure.addSuppressed(r);
                }
            }
            if (failure != null) throw failure;
        }
    }

    /** Trains to {@code opts.steps()}: 0 when finished and saved, 130 when stopped by Ctrl-C. */
    <T extends AuxiliaryTrainer> int train(
            AuxiliaryTrainer.Settings opts, String options, JsonNode runInfo, Opener<T> opener, Finish<T> finish)
            throws Exception {
        return train(opts, options, runInfo, opener, finish, null);
    }

    /**
     * As above, as one rank of a data-parallel run over {@code group} (null = one process): rank 0
     * alone writes the run folder, logs and checkpoints and runs {@code finish}; all ranks agree on
     * a stop at each step.
     */
    <T extends AuxiliaryTrainer> int train(
            AuxiliaryTrainer.Settings opts,
            String options,
            JsonNode runInfo,
            Opener<T> opener,
            Finish<T> finish,
            ProcessGroup group)
            throws Exception {
        RunDirectory run = null;
        boolean saved = false;
        try (Owned owned = new Owned()) {
            T t = owned.add(opener.open(owned));
            StopOnInterrupt interrupt = owned.add(new StopOnInterrupt(command, 600));
            t.setRunInfo(runInfo);
            if (checkpoint != null) t.restore(checkpoint);
            if (group != null) t.distribute(group, GradientReducer.DEFAULT_BUCKET_BYTES);
            boolean leader = t.isLeader();
            if (leader) {
                run = RunDirectory.create(outdir, desc);
                run.writeOptions(options);
                if (checkpoint != null)
                    run.log("resumed from " + resume + " at step " + t.step()
                            + (notes.isEmpty() ? "" : " with " + notes));
            }
            long first = t.step();
            double acc = 0;
            int n = 0;
            try (Progress progress = Progress.start(command, opts.steps() - first, "steps", !quiet && leader)) {
                while (t.step() < opts.steps() && !t.agree(interrupt.requested())) {
                    double l = t.trainStep();
                    acc += l;
                    n++;
                    long s = t.step();
                    if ((s % logEvery == 0 || s == opts.steps()) && leader) {
                        run.log(String.format(Locale.ROOT, "step %d %s %.4f", s, loss, acc / n));
                        acc = 0;
                        n = 0;
                    }
                    progress.update(s - first, String.format(Locale.ROOT, "step %d, %s %.4g", s, loss, l));
                }
            }
            if (!leader) return t.step() < opts.steps() ? 130 : 0;
            if (t.step() < opts.steps()) {
                Path side = t.save(run.path(), String.format("%s-%08d", file, t.step()));
                saved = true;
                run.log("stopped by interrupt at step " + t.step());
                System.out.println("stopped at step " + t.step() + "; resume with: sedm " + command + " " + resumeFlags
                        + "--resume " + side + " --steps " + opts.steps() + DistributedOptions.relaunchHint(group));
                return 130;
            }
            finish.accept(t, run);
            System.out.println("saved " + t.save(run.path(), file));
            saved = true;
            return 0;
        } catch (OutOfMemoryError | DeviceOutOfMemoryException e) {
            throw new IllegalArgumentException(
                    "out of memory at --batch " + opts.batchSize() + ": use a smaller --batch");
        } finally {
            if (run != null && !saved) run.delete();
        }
    }
}
