using System.Diagnostics;
using DistCacheAkka.Checker;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Hashing;

namespace DistCacheAkka.Nemesis;

/// <summary>
/// One nemesis run: a seed and two workers as CacheNode processes on loopback (R = 2), clients running the register
/// workload, and fault cycles until <see cref="NemesisOptions.Duration"/>: a short SIGSTOP pause (below failure
/// detection), a long one (the node is downed while frozen and must stop on resume) followed by a replacement, a
/// SIGKILL followed by a replacement, and a graceful leave (SIGTERM). Then the workload stops, every key gets a final
/// Strong read, and the checkers judge the history: linearizability per key, durability of acknowledged Quorum/Strong
/// writes. Every wait has a deadline; every process is killed at the end, also on failure.
/// </summary>
public static class NemesisRun
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan FaultDeadline = TimeSpan.FromSeconds(60);

    public static async Task<NemesisReport> RunAsync(NemesisOptions options)
    {
        var clock = Stopwatch.StartNew();
        var started = History.Now();
        var random = new Random(options.RandomSeed);
        var faults = new List<string>();
        var collateral = new List<string>();
        void Log(string line) => options.Log($"{clock.Elapsed.TotalSeconds,6:0.0} s  {line}");

        using var cluster = new NemesisCluster(options.NodeHocon);
        var clients = new List<IDistCacheClient>();
        var history = new History();
        var keys = Enumerable.Range(0, options.Keys).Select(i => $"nemesis:{i}").ToArray();
        int stopped = 0, stillRunning = 0, cycles = 0;
        try
        {
            var seed = cluster.Start(null);
            await seed.WaitListeningAsync(StartDeadline);
            var workers = new[] { cluster.Start(seed.Port), cluster.Start(seed.Port) };
            await Task.WhenAll(workers.Select(w => w.WaitListeningAsync(StartDeadline)));
            for (var i = 0; i < options.Clients; i++)
            {
                clients.Add(await DistCacheClient.ConnectAsync(new DistCacheClientOptions
                {
                    SeedNodes = cluster.Live.Select(p => p.Endpoint).ToArray(),
                    ConnectTimeout = StartDeadline,
                    RequestTimeout = TimeSpan.FromSeconds(3), // above the nodes' operation-timeout: ConsistencyNotMet comes first
                    ExtraHocon = "akka.loglevel = ERROR", // clients are not members: the nodes' timings are none of theirs
                }));
            }

            var view = (IClientProxyAccess)clients[0];
            await Until.HoldsAsync(() => NemesisCluster.IsHealthyAsync(view, 3), StartDeadline, "3 data nodes Up");
            await WaitWritableAsync(clients[0], StartDeadline);
            Log("cluster of 3 data nodes ready; workload starts");
            var placement = new PlacementLog(clients[0]);
            var missing = new HashSet<string>(StringComparer.Ordinal);

            using var stop = new CancellationTokenSource();
            var workload = new RegisterWorkload(history, clients, keys, options.WorkersPerClient, options.RandomSeed);
            var running = workload.RunAsync(stop.Token);
            try
            {
                do
                {
                    cycles++;
                    (var s, var r) = await CycleAsync(cluster, view, random, options, Log, faults, collateral, placement,
                        label => CheckpointAsync(clients[0], history, label, Log, missing));
                    stopped += s;
                    stillRunning += r;
                }
                while (clock.Elapsed < options.Duration);
            }
            finally
            {
                await stop.CancelAsync();
                await running;
            }

            Log($"workload stopped: {workload.Writes:N0} writes, {workload.Reads:N0} reads attempted");
            await Until.HoldsAsync(async () => await NemesisCluster.IsHealthyAsync(view, await NemesisCluster.DataNodesUpAsync(view)), FaultDeadline, "no unreachable member");
            await FinalReadsAsync(clients[0], history, keys);
            await FinalReadsOfWriteOnceKeysAsync(clients[0], history, workload.WriteOnceKeys);
            Log("final reads done; checking");

            var operations = history.Snapshot();
            var checker = new LinearizabilityChecker(options.CheckerStepsPerKey);
            var verdicts = checker.Check(operations.Where(o => keys.Contains(o.Key)))
                .Select(v => new LevelVerdict(RegisterWorkload.LevelOf(keys, v.Key).ToString(), v))
                .ToList();
            var durability = DurabilityChecker.Check(operations);
            return new NemesisReport(clock.Elapsed, cycles, faults, operations.Count, workload.Writes, workload.Reads,
                workload.Indeterminate, workload.Refused, workload.FailedReads, workload.WriteOnceKeys.Count, verdicts, durability,
                stopped, stillRunning, started, durability.Lost.Select(l => placement.Describe(l.Write, started)).ToList())
            {
                Collateral = collateral,
            };
        }
        catch
        {
            foreach (var process in cluster.All)
                options.Log($"---- node on port {process.Port} (exited: {process.HasExited}) ----\n{Tail(process.Output)}");
            throw;
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
            if (options.LogDirectory is { } directory)
            {
                Directory.CreateDirectory(directory);
                foreach (var process in cluster.All)
                    await File.WriteAllTextAsync(Path.Combine(directory, $"node-{process.Port}.log"), process.Output);
            }
        }
    }

    /// <summary>One cycle of faults; returns how many nodes downed while paused stopped on resume, and how many did not.</summary>
    private static async Task<(int Stopped, int StillRunning)> CycleAsync(
        NemesisCluster cluster, IClientProxyAccess view, Random random, NemesisOptions options, Action<string> log, List<string> faults,
        List<string> collateral, PlacementLog placement, Func<string, Task> checkpoint)
    {
        int stopped = 0, stillRunning = 0;
        NodeProcess victim;
        if (options.Faults.HasFlag(NemesisFaults.ShortPause))
        {
            await placement.SnapshotAsync();
            // 1. A pause shorter than failure detection plus stable-after: the node must come back as if nothing happened.
            victim = Pick(cluster, random);
            log($"SIGSTOP port {victim.Port} for {options.ShortPause.TotalSeconds:0.#} s");
            victim.Pause();
            await Task.Delay(options.ShortPause); // the length of the fault itself, not a synchronisation
            victim.Resume();
            await RestoreAsync(cluster, view, log, collateral, [], "the short-paused node to be reachable again");
            faults.Add($"pause {options.ShortPause.TotalSeconds:0.#} s");
            log("healthy again");
            await Task.Delay(options.Quiet);
            await checkpoint("the short pause");
        }

        if (options.Faults.HasFlag(NemesisFaults.LongPause))
        {
            await placement.SnapshotAsync();
            // 2. A pause beyond detection + stable-after: the frozen node is downed; on resume it must notice and stop.
            victim = Pick(cluster, random);
            log($"SIGSTOP port {victim.Port} until it is downed");
            var paused = Stopwatch.StartNew();
            victim.Pause();
            await Until.HoldsAsync(async () => !await NemesisCluster.IsMemberAsync(view, victim), FaultDeadline, "the paused node to be downed and removed");
            var pausedFor = paused.Elapsed;
            log($"removed after {pausedFor.TotalSeconds:0.0} s; SIGCONT");
            victim.Resume();
            cluster.MarkGone(victim);
            try
            {
                await victim.WaitForExitAsync(TimeSpan.FromSeconds(30));
                stopped++;
                log("the downed node stopped on resume");
            }
            catch (OperationCanceledException)
            {
                stillRunning++;
                log("the downed node still runs 30 s after resume; killing it");
                victim.KillHard();
            }

            faults.Add($"pause {pausedFor.TotalSeconds:0} s (downed)");
            await ReplaceAsync(cluster, view, log, collateral);
            await Task.Delay(options.Quiet);
            await checkpoint("the long pause and its replacement");
        }

        if (options.Faults.HasFlag(NemesisFaults.Kill))
        {
            await placement.SnapshotAsync();
            // 3. SIGKILL of the oldest data node (it hosts the sharding coordinator: the hardest single crash), then a
            // replacement.
            // Live lists the processes in start order, and each joined when started: the first is the oldest member.
            victim = cluster.Live[0];
            log($"SIGKILL port {victim.Port}");
            victim.KillHard();
            cluster.MarkGone(victim);
            await Until.HoldsAsync(async () => !await NemesisCluster.IsMemberAsync(view, victim), FaultDeadline, "the killed node to be removed");
            faults.Add("kill -9 of the oldest + replacement");
            log("killed node removed");
            await ReplaceAsync(cluster, view, log, collateral);
            await Task.Delay(options.Quiet);
            await checkpoint("the kill and its replacement");
        }

        if (options.Faults.HasFlag(NemesisFaults.Leave))
        {
            await placement.SnapshotAsync();
            // 4. A graceful leave (SIGTERM), replaced unless this is the short run.
            victim = Pick(cluster, random);
            log($"SIGTERM port {victim.Port} (graceful leave)");
            victim.Terminate();
            cluster.MarkGone(victim);
            await victim.WaitForExitAsync(FaultDeadline);
            await Until.HoldsAsync(async () => !await NemesisCluster.IsMemberAsync(view, victim), FaultDeadline, "the leaving node to be removed");
            faults.Add(options.ReplaceAfterLeave ? "leave + replacement" : "leave");
            log("left");
            if (options.ReplaceAfterLeave)
            {
                await ReplaceAsync(cluster, view, log, collateral);
                await Task.Delay(options.Quiet);
            }

            await checkpoint("the leave");
        }

        return (stopped, stillRunning);
    }

    /// <summary>
    /// A diagnostic after each fault: Eventual reads (the primary's copy; no read repair, so the check does not heal
    /// what it looks at) of every write-once key acknowledged so far, logging how many no longer read back (and the
    /// shards of new ones), so a loss is tied to the fault that caused it. Not recorded in the history; the final
    /// reads are what the checkers judge.
    /// </summary>
    private static async Task CheckpointAsync(IDistCacheClient client, History history, string after, Action<string> log, HashSet<string> missing)
    {
        var acknowledged = history.Snapshot()
            .Where(o => o is { Kind: OperationKind.Write, Outcome: OperationOutcome.Ok } && o.Key.StartsWith("nemesis:once:", StringComparison.Ordinal))
            .ToDictionary(o => o.Key, o => o.Value, StringComparer.Ordinal);
        var gone = new List<string>();
        foreach (var chunk in acknowledged.Keys.Chunk(500))
        {
            IReadOnlyDictionary<string, string>? read = null;
            for (var attempt = 0; attempt < 10 && read is null; attempt++)
            {
                try
                {
                    read = await client.GetMultipleAsync<string>(chunk, ConsistencyLevel.Eventual);
                }
                catch (Exception e) when (e is DistCacheBatchException or DistCacheTimeoutException or DistCacheException)
                {
                }
            }

            if (read is null)
            {
                log($"checkpoint after {after}: a chunk could not be read");
                return;
            }

            gone.AddRange(chunk.Where(k => !read.TryGetValue(k, out var v) || v != acknowledged[k]));
        }

        var fresh = gone.Where(missing.Add).ToList();
        var resolver = new ShardResolver(1024);
        log($"checkpoint after {after}: {gone.Count} of {acknowledged.Count} acknowledged write-once keys do not read back" +
            (fresh.Count == 0 ? "" : $" ({fresh.Count} new, shards {string.Join(" ", fresh.Select(resolver.ShardOf).Distinct().Take(12))})"));
    }

    private static NodeProcess Pick(NemesisCluster cluster, Random random)
    {
        var live = cluster.Live;
        return live[random.Next(live.Count)];
    }

    /// <summary>Starts a new worker that joins through a live node and waits until the cluster has 3 data nodes again.</summary>
    private static async Task ReplaceAsync(NemesisCluster cluster, IClientProxyAccess view, Action<string> log, List<string> collateral)
    {
        var joiner = cluster.Start(FirstRunning(cluster).Port);
        await joiner.WaitListeningAsync(FaultDeadline);
        var joiners = new List<NodeProcess> { joiner };
        await RestoreAsync(cluster, view, log, collateral, joiners, "the replacement to be Up");
        log($"replacement on port {string.Join(", ", joiners.Select(j => j.Port))} is Up");
    }

    /// <summary>
    /// Waits until the cluster has 3 reachable data nodes. A node that stops without a fault of ours was downed by the
    /// split brain resolver beside the injected fault: on an overloaded machine a healthy node can miss heartbeats, and
    /// a paused node's stale observation of it makes it "indirectly connected", which the resolver downs too. Such a
    /// node is logged, listed in the report and replaced (the new joiners are added to <paramref name="joiners"/>), and
    /// the deadline starts again, so a collateral downing is reported instead of ending the run.
    /// </summary>
    private static async Task RestoreAsync(NemesisCluster cluster, IClientProxyAccess view, Action<string> log, List<string> collateral,
        List<NodeProcess> joiners, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await NemesisCluster.IsHealthyAsync(view, 3))
        {
            foreach (var downed in cluster.Live.Where(p => p.HasExited).ToList())
            {
                cluster.MarkGone(downed);
                collateral.Add($"port {downed.Port} (exit code {downed.ExitCode}) while waiting for {what}");
                log($"port {downed.Port} stopped without a fault of ours (downed by the resolver; exit code {downed.ExitCode}); replacing it");
                var joiner = cluster.Start(FirstRunning(cluster).Port);
                await joiner.WaitListeningAsync(FaultDeadline);
                joiners.Add(joiner);
                deadline.Restart();
            }

            if (deadline.Elapsed > FaultDeadline)
                throw new TimeoutException($"Timed out after {FaultDeadline.TotalSeconds:0} s waiting for: {what}.");
            await Task.Delay(100); // polling interval of a condition with a deadline
        }
    }

    private static NodeProcess FirstRunning(NemesisCluster cluster) =>
        cluster.Live.FirstOrDefault(p => !p.HasExited) ?? throw new InvalidOperationException("no data node process is running");

    /// <summary>Waits until a Quorum write reaches every shard (all shards allocated and recovered).</summary>
    private static async Task WaitWritableAsync(IDistCacheClient client, TimeSpan deadline)
    {
        var resolver = new ShardResolver(1024);
        var perShard = Enumerable.Range(0, int.MaxValue).Select(i => $"warm:{i}")
            .DistinctBy(resolver.ShardOf).Take(resolver.Shards).ToDictionary(k => k, _ => 1);
        await Until.HoldsAsync(async () =>
        {
            try
            {
                await client.SetMultipleAsync(perShard, consistency: ConsistencyLevel.Quorum);
                return true;
            }
            catch (Exception e) when (e is DistCacheBatchException or DistCacheTimeoutException or DistCacheException { IsRetriable: true })
            {
                return false;
            }
        }, deadline, "a Quorum write to every shard");
    }

    /// <summary>A Strong read of every key once the faults are over, retried until it succeeds: the durability check's
    /// reference. Each is also an ordinary read for the linearizability check.</summary>
    private static async Task FinalReadsAsync(IDistCacheClient client, History history, IReadOnlyList<string> keys)
    {
        foreach (var key in keys)
            await FinalReadAsync(client, history, key, RegisterWorkload.LevelOf(keys, key).ToString());
    }

    private static async Task FinalReadAsync(IDistCacheClient client, History history, string key, string level)
    {
        var process = history.NewProcess();
        await Until.HoldsAsync(async () =>
        {
            var invoke = History.Now();
            try
            {
                var value = await client.GetAsync<string>(key, ConsistencyLevel.Strong);
                history.Add(new Operation(process, key, OperationKind.Read, value, invoke, History.Now(), OperationOutcome.Ok,
                    level, IsFinalRead: true));
                return true;
            }
            catch (Exception e) when (e is DistCacheTimeoutException or DistCacheException)
            {
                return false;
            }
        }, FaultDeadline, $"a final Strong read of {key}");
    }

    /// <summary>Strong batch reads of every write-once key, a chunk at a time, each chunk retried until it succeeds.</summary>
    private static async Task FinalReadsOfWriteOnceKeysAsync(IDistCacheClient client, History history, IReadOnlyCollection<string> keys)
    {
        foreach (var chunk in keys.Chunk(500))
        {
            await Until.HoldsAsync(async () =>
            {
                var invoke = History.Now();
                try
                {
                    var read = await client.GetMultipleAsync<string>(chunk, ConsistencyLevel.Strong);
                    var complete = History.Now();
                    var process = history.NewProcess();
                    foreach (var key in chunk)
                        history.Add(new Operation(process, key, OperationKind.Read, read.GetValueOrDefault(key), invoke, complete,
                            OperationOutcome.Ok, "Strong", IsFinalRead: true));
                    // A key the batch did not find is read once more on its own (the later read is the one judged), so
                    // a loss is confirmed by two different read paths.
                    foreach (var key in chunk.Where(k => !read.ContainsKey(k)))
                        await FinalReadAsync(client, history, key, "Strong");
                    return true;
                }
                catch (Exception e) when (e is DistCacheBatchException or DistCacheTimeoutException or DistCacheException)
                {
                    return false;
                }
            }, FaultDeadline, "a final Strong read of a chunk of write-once keys");
        }
    }

    private static string Tail(string output) => output.Length <= 4_000 ? output : "..." + output[^4_000..];
}
