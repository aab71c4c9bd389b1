using System.Globalization;

namespace DistCacheAkka.MemoryBench;

/// <summary>The command line: a mode, then <c>--name value</c> pairs (<c>--pids</c> may repeat).</summary>
internal sealed class BenchOptions
{
    public const string Usage = """
        Usage (bench/memory.sh starts the servers and runs every mode):
          MemoryBench per-entry --seed H:P --pids P,P,P [--gcdump-dir D] | --redis H:P --redis-pid P
                                [--keys 200000] [--value-size 100]
              bytes per entry: the nodes' accounted MemoryUsedBytes and RSS growth (or Redis used_memory growth)
              after writing --keys fresh keys of --value-size bytes, against the warmed-up empty cache; with a folder
              whose tool manifest has dotnet-gcdump, also the nodes' live GC heap after an induced full GC
          MemoryBench eviction --seed H:P --pids P,P,P --small-seed H:P --small-pids P,P,P
              [--interval 5] [--rounds 6] [--writers 4] [--batch 250] [--value-size 1000] [--fill-multiple 2]
              write throughput of a cluster that never evicts (--seed) against one full and evicting (--small-seed),
              both filled first, measured in alternating intervals
          MemoryBench long-run --seed H:P --pids P,P,P [--duration 300] [--fits-multiple 10] [--writers 4] [--batch 250]
                               [--gcdump-dir D] [--cgroups DIR,DIR,DIR]
              the issue-12 scenario, long: 1 KB values at Quorum plus re-reads of 1,000 hot keys, until the deadline or
              --fits-multiple times what the budgets hold; keys/s every --report-every (10) seconds, per-node memory;
              with --cgroups (each pid's cgroup v1 memory folder, in --pids order) also their usage, peak, failcnt, oom_kill
        """;

    private readonly Dictionary<string, List<string>> _values;

    private BenchOptions(string mode, Dictionary<string, List<string>> values) => (Mode, _values) = (mode, values);

    public string Mode { get; }

    public static BenchOptions Parse(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("per-entry" or "eviction" or "long-run"))
            throw new ArgumentException("The first argument must be per-entry, eviction or long-run.");
        var values = new Dictionary<string, List<string>>();
        for (var i = 1; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"Expected --name value at \"{args[i]}\".");
            if (!values.TryGetValue(args[i][2..], out var list))
                values[args[i][2..]] = list = [];
            list.Add(args[i + 1]);
        }

        return new BenchOptions(args[0], values);
    }

    public string? String(string name) => _values.TryGetValue(name, out var v) ? v[^1] : null;

    public string Required(string name) => String(name) ?? throw new ArgumentException($"--{name} is required for {Mode}.");

    public int Int(string name, int fallback) => String(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) => String(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public int[] Pids(string name) => (String(name) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
        .Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
}
