using DistCacheAkka.Checker;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages;

namespace DistCacheAkka.Nemesis;

/// <summary>
/// Workers that write unique values to and read a few register keys through several clients, recording every
/// operation with its invocation and completion time on the history's clock. Even-numbered keys use Strong, odd
/// ones Quorum, for writes and reads alike. A write that timed out or missed its consistency level is indeterminate
/// (it may still apply) and its worker continues as a new process; a write the node refused before applying it
/// (Unavailable, InvalidRequest, WrongShard) is a definite failure and is not recorded; failed reads tell nothing
/// and are not recorded either. One write in ten goes to a fresh key that is never written again (Strong or Quorum
/// by turns): nothing can overwrite it, so the durability check must find it in the final reads.
/// </summary>
internal sealed class RegisterWorkload(History history, IReadOnlyList<IDistCacheClient> clients, IReadOnlyList<string> keys, int workersPerClient, int seed)
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _writeOnceKeys = new();
    private long _writes;
    private long _reads;
    private long _indeterminate;
    private long _refused;
    private long _failedReads;

    public long Writes => Interlocked.Read(ref _writes);

    public long Reads => Interlocked.Read(ref _reads);

    public long Indeterminate => Interlocked.Read(ref _indeterminate);

    public long Refused => Interlocked.Read(ref _refused);

    public long FailedReads => Interlocked.Read(ref _failedReads);

    /// <summary>The write-once keys written so far (acknowledged or indeterminate).</summary>
    public IReadOnlyCollection<string> WriteOnceKeys => _writeOnceKeys;

    public static ConsistencyLevel LevelOf(IReadOnlyList<string> keys, string key)
    {
        for (var i = 0; i < keys.Count; i++)
            if (keys[i] == key)
                return i % 2 == 0 ? ConsistencyLevel.Strong : ConsistencyLevel.Quorum;
        throw new ArgumentException($"'{key}' is not a register key of this run.", nameof(key));
    }

    /// <summary>Runs every worker until <paramref name="stop"/>; each finishes the operation it has in flight
    /// (bounded by the client's request timeout), so the history holds no operation without its outcome.</summary>
    public Task RunAsync(CancellationToken stop) =>
        Task.WhenAll(clients.SelectMany((client, c) => Enumerable.Range(0, workersPerClient)
            .Select(w => Task.Run(() => WorkerAsync(client, new Random(seed + (c * 100) + w), stop)))));

    private async Task WorkerAsync(IDistCacheClient client, Random random, CancellationToken stop)
    {
        var process = history.NewProcess();
        var sequence = 0;
        while (!stop.IsCancellationRequested)
        {
            var key = keys[random.Next(keys.Count)];
            var level = LevelOf(keys, key);
            var writeOnce = random.Next(20) == 0;
            if (writeOnce)
            {
                key = $"nemesis:once:{process}:{sequence + 1}";
                level = random.Next(2) == 0 ? ConsistencyLevel.Strong : ConsistencyLevel.Quorum;
            }

            var invoke = History.Now();
            if (writeOnce || random.Next(2) == 0)
            {
                var value = $"{process}:{++sequence}";
                if (writeOnce)
                    _writeOnceKeys.Enqueue(key);
                Interlocked.Increment(ref _writes);
                try
                {
                    await client.SetAsync(key, value, consistency: level).ConfigureAwait(false);
                    history.Add(new Operation(process, key, OperationKind.Write, value, invoke, History.Now(), OperationOutcome.Ok, level.ToString()));
                }
                catch (DistCacheException e) when (e.Code is CacheErrorCode.Unavailable or CacheErrorCode.InvalidRequest or CacheErrorCode.WrongShard)
                {
                    Interlocked.Increment(ref _refused); // not applied: the node says so
                }
                catch (Exception)
                {
                    // Timeout, ConsistencyNotMet or anything unexpected: it may apply at any time from now on.
                    history.Add(new Operation(process, key, OperationKind.Write, value, invoke, 0, OperationOutcome.Indeterminate, level.ToString()));
                    Interlocked.Increment(ref _indeterminate);
                    process = history.NewProcess();
                }
            }
            else
            {
                Interlocked.Increment(ref _reads);
                try
                {
                    var value = await client.GetAsync<string>(key, level).ConfigureAwait(false);
                    history.Add(new Operation(process, key, OperationKind.Read, value, invoke, History.Now(), OperationOutcome.Ok, level.ToString()));
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref _failedReads);
                }
            }
        }
    }
}
