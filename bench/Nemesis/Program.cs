// The long nemesis (issue 13): the harness of tests/multinode's NemesisProcessSpecs, run in fault cycles (a 2 s
// SIGSTOP, a SIGSTOP until the node is downed plus a replacement, a SIGKILL of the oldest data node plus a
// replacement, a graceful leave plus a replacement) until the time is up, then judged by the linearizability and
// durability checkers. Prints the figures for bench/RESULTS.md; exits 0 only if no Strong key is non-linearizable
// and no acknowledged Quorum/Strong write was lost.
//
//   dotnet run -c Release --project bench/Nemesis/NemesisBench.csproj -- [--minutes 10] [--keys 6] [--clients 2] [--workers 2]
//       [--seed N] [--faults ShortPause,LongPause,Kill,Leave]
//       [--logs DIR]   (nodes log at INFO; each node's output is written to DIR/node-PORT.log)
using DistCacheAkka.Checker;
using DistCacheAkka.Nemesis;

var options = new NemesisOptions { Log = Console.WriteLine };
for (var i = 0; i < args.Length; i++)
{
    var value = i + 1 < args.Length ? args[i + 1] : null;
    options = args[i] switch
    {
        "--minutes" when double.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var m) && m >= 0 =>
            options with { Duration = TimeSpan.FromMinutes(m) },
        "--keys" when int.TryParse(value, out var k) && k >= 2 => options with { Keys = k },
        "--clients" when int.TryParse(value, out var c) && c >= 1 => options with { Clients = c },
        "--workers" when int.TryParse(value, out var w) && w >= 1 => options with { WorkersPerClient = w },
        "--seed" when int.TryParse(value, out var s) => options with { RandomSeed = s },
        "--logs" when value is not null => options with
        {
            LogDirectory = value,
            NodeHocon = options.NodeHocon.Replace("akka.loglevel = WARNING", "akka.loglevel = INFO", StringComparison.Ordinal),
        },
        "--faults" when Enum.TryParse<NemesisFaults>(value, ignoreCase: true, out var f) && f != 0 => options with { Faults = f },
        _ => null!,
    };
    if (options is null)
    {
        Console.Error.WriteLine($"Bad option '{args[i]} {value}'. Usage: [--minutes M>=0] [--keys K>=2] [--clients C>=1] [--workers W>=1] [--seed N] [--faults ShortPause,LongPause,Kill,Leave] [--logs DIR]");
        return 2;
    }

    i++;
}

Console.WriteLine($"nemesis for {options.Duration.TotalMinutes:0.#} min: {options.Keys} keys, {options.Clients} clients x " +
                  $"{options.WorkersPerClient} workers, seed {options.RandomSeed}, faults {options.Faults}");
var report = await NemesisRun.RunAsync(options);
Console.WriteLine();
Console.WriteLine(report.Summary());
var passed = report.Count("Strong", Linearizability.NotLinearizable) == 0 && report.Durability.Passed;
Console.WriteLine(passed ? "PASSED: 0 non-linearizable Strong keys, 0 lost acknowledged writes" : "FAILED");
return passed ? 0 : 1;
