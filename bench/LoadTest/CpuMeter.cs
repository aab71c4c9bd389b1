using System.Diagnostics;
using System.Globalization;

namespace DistCacheAkka.LoadTest;

/// <summary>
/// CPU time (user + system) spent by this process and by a target's server processes, read from /proc. CPU time
/// per operation is the figure that survives a busy machine: throughput and latency move with whatever else runs
/// on the two cores, the work each request costs does not (much).
/// </summary>
internal sealed class CpuMeter(IReadOnlyList<int> serverPids)
{
    private static readonly double SecondsPerTick = 1.0 / 100; // USER_HZ, 100 on Linux

    public (TimeSpan Client, TimeSpan Servers) Read()
    {
        var servers = 0.0;
        foreach (var pid in serverPids)
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                // Fields after the parenthesised command name; utime and stime are fields 14 and 15 of the line.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                servers += (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * SecondsPerTick;
            }
            catch (IOException)
            {
                // The process is gone: it contributes nothing from now on.
            }
        }

        return (Process.GetCurrentProcess().TotalProcessorTime, TimeSpan.FromSeconds(servers));
    }
}
