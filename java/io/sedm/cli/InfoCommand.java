package io.sedm.cli;

import io.sedm.runtime.Device;
import io.sedm.runtime.NativeRuntime;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Prints the native build and the devices it can use. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Show libsedm's build and the devices it sees.")
final class InfoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println(NativeRuntime.buildInfo());
        System.out.println("abi version: " + NativeRuntime.abiVersion());
        int cuda = Device.cudaDeviceCount();
        System.out.println("cuda devices: " + cuda);
        for (int i = 0; i < cuda; i++) {
            Device d = Device.cuda(i);
            Device.MemoryStats m = d.memoryStats();
            System.out.printf(
                    "  %s: %s, %.1f GiB total, %.1f GiB free%n",
                    d, d.name(), m.deviceTotal() / 1073741824.0, m.deviceFree() / 1073741824.0);
        }
        return 0;
    }
}
