using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Akka.Actor;
using DistCacheAkka.ClientProxy.Actors;
using DistCacheAkka.ClientProxy.Telemetry;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Hashing;
using DistCacheAkka.Messages.Telemetry;

namespace DistCacheAkka.ClientProxy;

/// <summary>
/// <see cref="IDistCacheClient"/> over a <see cref="ClientProxyActor"/>: validates input, asks the proxy, and maps
/// every reply type to a result or an exception in one place (<see cref="ReplyMapper"/>). Every public operation is
/// measured once (<see cref="ClientTelemetry"/>: a request count and duration by operation, level and outcome, and an
/// activity), validation failures included; the typed overloads delegate to the byte ones, which measure.
/// </summary>
internal sealed class DistCacheClientImpl : IDistCacheClient, IClientProxyAccess, Hybrid.IHybridCacheBackend
{
    private const int EventBufferSize = 10_000;
    private static readonly TimeSpan MinAttempt = TimeSpan.FromMilliseconds(50);
    private readonly ActorSystem _system;
    private readonly IActorRef _proxy;
    private readonly DistCacheClientOptions _options;
    private readonly ShardResolver _resolver;
    private readonly bool _ownsSystem;
    private readonly NearCache.NearCache? _near;

    public DistCacheClientImpl(ActorSystem system, IActorRef proxy, DistCacheClientOptions options, bool ownsSystem, NearCache.NearCache? near = null)
    {
        _near = near;
        if (near is not null)
            ClientTelemetry.Track(near);
        _system = system;
        _proxy = proxy;
        _options = options;
        _ownsSystem = ownsSystem;
        _resolver = new ShardResolver(options.ClusterSettings.Shards, options.ClusterSettings.HashAlgorithm);
    }

    /// <summary>The client's ActorSystem (for Akka applications that want to Ask the proxy directly).</summary>
    public ActorSystem System => _system;

    public IActorRef Proxy => _proxy;

    public async Task<T?> GetAsync<T>(string key, ConsistencyLevel? consistency = null, CancellationToken ct = default)
    {
        var bytes = await GetBytesAsync(key, consistency, ct).ConfigureAwait(false);
        return bytes is null ? default : _options.ValueSerializer.Deserialize<T>(bytes);
    }

    public async Task<byte[]?> GetBytesAsync(string key, ConsistencyLevel? consistency = null, CancellationToken ct = default)
    {
        var scope = ClientTelemetry.Start(TelemetryOperation.Get, consistency ?? _options.DefaultConsistency);
        try
        {
            ValidateKey(key);
            var level = Level(consistency);
            var value = _near is not null && level == ConsistencyLevel.Eventual
                ? await GetNearAsync(_near, key, ct).ConfigureAwait(false)
                : ReplyMapper.ToValue(await AskKeyed<IGetResponse>(new Get(key, level), key, ct).ConfigureAwait(false));
            scope.Complete(value is null ? TelemetryOutcome.Miss : TelemetryOutcome.Hit);
            return value;
        }
        catch (Exception e)
        {
            scope.Fail(e);
            throw;
        }
    }

    public bool TryGetNear(string key, out byte[] value)
    {
        if (_near is not null && _near.TryGet(key, out value))
            return true;
        value = [];
        return false;
    }

    public async Task<byte[]?> GetDirectAsync(string key, ConsistencyLevel level, CancellationToken ct)
    {
        ValidateKey(key);
        return ReplyMapper.ToValue(await AskKeyed<IGetResponse>(new Get(key, Level(level)), key, ct).ConfigureAwait(false));
    }

    public async Task<byte[]?> GetMarkerAsync(string key, CancellationToken ct)
    {
        ValidateKey(key);
        if (_near is null)
            return ReplyMapper.ToValue(await AskKeyed<IGetResponse>(new Get(key, ConsistencyLevel.Eventual), key, ct).ConfigureAwait(false));
        return _near.TryGetOrAbsent(key, out var cached) ? cached : await GetNearAsync(_near, key, ct, cacheAbsence: true).ConfigureAwait(false);
    }

    /// <summary>An Eventual read through the near cache: a hit, or one fetch per key in flight (see <see cref="NearCache.NearCache"/>).</summary>
    private async Task<byte[]?> GetNearAsync(NearCache.NearCache near, string key, CancellationToken ct, bool cacheAbsence = false)
    {
        if (!cacheAbsence && near.TryGet(key, out var cached))
            return cached;
        var fetch = near.BeginFetch(key, _resolver.ShardOf(key), out var leader, cacheAbsence);
        if (!leader)
            return ReplyMapper.ToValue(await fetch.Result.WaitAsync(ct).ConfigureAwait(false));
        IGetResponse reply;
        try
        {
            reply = await AskKeyed<IGetResponse>(new NearGet(key), key, ct).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            near.Fail(fetch, e);
            throw;
        }

        near.Complete(fetch, reply);
        return ReplyMapper.ToValue(reply);
    }

    /// <summary>The near cache's counters, when it is on (null otherwise).</summary>
    public NearCacheStats? NearCacheStats => _near?.Stats;

    public Task SetAsync<T>(string key, T value, TimeSpan? ttl = null, ConsistencyLevel? consistency = null, CancellationToken ct = default) =>
        SetWithExpiryAsync(key, value, ttl is { } t ? CacheExpiry.After(t) : CacheExpiry.Never, consistency, ct);

    public Task SetWithExpiryAsync<T>(string key, T value, CacheExpiry expiry, ConsistencyLevel? consistency = null, CancellationToken ct = default)
    {
        ValidateKey(key);
        return SetBytesAsync(key, _options.ValueSerializer.Serialize(value), expiry, consistency, ct);
    }

    public async Task SetBytesAsync(string key, byte[] value, CacheExpiry expiry, ConsistencyLevel? consistency = null, CancellationToken ct = default)
    {
        var scope = ClientTelemetry.Start(TelemetryOperation.Set, consistency ?? _options.DefaultConsistency);
        try
        {
            await SetBytesCoreAsync(key, value, expiry, consistency, ct).ConfigureAwait(false);
            scope.Complete(TelemetryOutcome.Ok);
        }
        catch (Exception e)
        {
            scope.Fail(e);
            throw;
        }
    }

    private async Task SetBytesCoreAsync(string key, byte[] value, CacheExpiry expiry, ConsistencyLevel? consistency, CancellationToken ct)
    {
        ValidateKey(key);
        Validate(RequestValidation.CheckValue(key, value, _options.ClusterSettings), nameof(value));
        Validate(RequestValidation.CheckExpiry(expiry), nameof(expiry));
        var level = Level(consistency);
        _near?.InvalidateLocal(key);
        try
        {
            var reply = await AskKeyed<ISetResponse>(new Set(key, value, expiry, level), key, ct).ConfigureAwait(false);
            ReplyMapper.EnsureSuccess(reply);
        }
        finally
        {
            _near?.InvalidateLocal(key); // read-your-writes: a fill that raced the write is discarded
        }
    }

    public async Task<bool> RemoveAsync(string key, ConsistencyLevel? consistency = null, CancellationToken ct = default)
    {
        var scope = ClientTelemetry.Start(TelemetryOperation.Remove, consistency ?? _options.DefaultConsistency);
        try
        {
            var removed = await RemoveCoreAsync(key, consistency, ct).ConfigureAwait(false);
            scope.Complete(TelemetryOutcome.Ok);
            return removed;
        }
        catch (Exception e)
        {
            scope.Fail(e);
            throw;
        }
    }

    private async Task<bool> RemoveCoreAsync(string key, ConsistencyLevel? consistency, CancellationToken ct)
    {
        ValidateKey(key);
        var level = Level(consistency);
        _near?.InvalidateLocal(key);
        try
        {
            var reply = await AskKeyed<IRemoveResponse>(new Remove(key, level), key, ct).ConfigureAwait(false);
            return ReplyMapper.ToRemoved(reply);
        }
        finally
        {
            _near?.InvalidateLocal(key);
        }
    }

    public async Task<IReadOnlyDictionary<string, T>> GetMultipleAsync<T>(
        IEnumerable<string> keys, ConsistencyLevel? consistency = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var list = keys.ToList();
        return await Measured(TelemetryOperation.GetMultiple, consistency, list.Count, () => GetMultipleCoreAsync<T>(list, consistency, ct)).ConfigureAwait(false);
    }

    private async Task<IReadOnlyDictionary<string, T>> GetMultipleCoreAsync<T>(List<string> list, ConsistencyLevel? consistency, CancellationToken ct)
    {
        foreach (var key in list)
            ValidateKey(key, "keys");
        var level = Level(consistency);
        var result = await AskBatch<GetMultipleResult>(new GetMultiple(list, level, _options.RequestTimeout), ct).ConfigureAwait(false);

        var values = new Dictionary<string, T>(result.Found.Count, StringComparer.Ordinal);
        foreach (var (key, item) in result.Found)
            values[key] = _options.ValueSerializer.Deserialize<T>(item.Value)!;
        if (result.Failed.Count > 0)
            throw ReplyMapper.BatchFailure(result.Failed, values.Keys.Concat(result.Missing).ToArray(),
                values.ToDictionary(kv => kv.Key, kv => (object?)kv.Value, StringComparer.Ordinal));
        return values;
    }

    public async Task SetMultipleAsync<T>(
        IReadOnlyDictionary<string, T> values, TimeSpan? ttl = null, ConsistencyLevel? consistency = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        await Measured(TelemetryOperation.SetMultiple, consistency, values.Count, async () =>
        {
            await SetMultipleCoreAsync(values, ttl, consistency, ct).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
    }

    private async Task SetMultipleCoreAsync<T>(IReadOnlyDictionary<string, T> values, TimeSpan? ttl, ConsistencyLevel? consistency, CancellationToken ct)
    {
        var expiry = ttl is { } t ? CacheExpiry.After(t) : CacheExpiry.Never;
        Validate(RequestValidation.CheckExpiry(expiry), nameof(ttl));
        var items = new List<KeyValue>(values.Count);
        foreach (var (key, value) in values)
        {
            ValidateKey(key, nameof(values));
            var bytes = _options.ValueSerializer.Serialize(value);
            Validate(RequestValidation.CheckValue(key, bytes, _options.ClusterSettings), nameof(values));
            items.Add(new KeyValue(key, bytes));
        }

        var level = Level(consistency);
        InvalidateLocal(items);
        SetMultipleResult result;
        try
        {
            result = await AskBatch<SetMultipleResult>(new SetMultiple(items, expiry, level, _options.RequestTimeout), ct).ConfigureAwait(false);
        }
        finally
        {
            InvalidateLocal(items);
        }

        if (result.Failed.Count > 0)
            throw ReplyMapper.BatchFailure(result.Failed, result.Succeeded, new Dictionary<string, object?>());
    }

    public Task<DistributedCacheStats> GetStatsAsync(CancellationToken ct = default) =>
        Measured(TelemetryOperation.GetStats, null, -1, () => GetStatsCoreAsync(ct), noLevel: true);

    private async Task<DistributedCacheStats> GetStatsCoreAsync(CancellationToken ct)
    {
        var result = await AskBatch<ClusterStatsResult>(new GetClusterStats(_options.RequestTimeout), ct).ConfigureAwait(false);
        return ReplyMapper.ToStats(result, _options.ClusterSettings.ReplicationFactor) with { NearCache = _near?.Stats };
    }

    public async IAsyncEnumerable<DistributedCacheEvent> SubscribeAsync(
        CacheEventFilter? filter = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var channel = Channel.CreateBounded<DistributedCacheEvent>(new BoundedChannelOptions(EventBufferSize)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        var subscriber = await _proxy.Ask<IActorRef>(new SubscribeEvents(filter ?? new CacheEventFilter(), channel.Writer), _options.RequestTimeout, ct)
            .ConfigureAwait(false);
        try
        {
            await foreach (var evt in channel.Reader.ReadAllAsync(ct).ConfigureAwait(false))
                yield return evt;
        }
        finally
        {
            subscriber.Tell(PoisonPill.Instance);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_near is not null)
            ClientTelemetry.Untrack(_near);
        if (_ownsSystem)
            await CoordinatedShutdown.Get(_system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance).ConfigureAwait(false);
    }

    /// <summary>Runs a batch or stats operation as one measured operation (outcome ok, or the failure's kind).</summary>
    private async Task<TResult> Measured<TResult>(
        TelemetryOperation operation, ConsistencyLevel? consistency, int batchSize, Func<Task<TResult>> run, bool noLevel = false)
    {
        var scope = ClientTelemetry.Start(operation, noLevel ? null : consistency ?? _options.DefaultConsistency, batchSize);
        try
        {
            var result = await run().ConfigureAwait(false);
            scope.Complete(TelemetryOutcome.Ok);
            return result;
        }
        catch (Exception e)
        {
            scope.Fail(e);
            throw;
        }
    }

    private void InvalidateLocal(List<KeyValue> items)
    {
        if (_near is null)
            return;
        foreach (var item in items)
            _near.InvalidateLocal(item.Key);
    }

    private ConsistencyLevel Level(ConsistencyLevel? consistency)
    {
        var level = consistency ?? _options.DefaultConsistency;
        Validate(RequestValidation.CheckConsistency(level), nameof(consistency));
        return level;
    }

    private void ValidateKey(string key, string parameter = "key") =>
        Validate(RequestValidation.CheckKey(key, _options.ClusterSettings), parameter);

    private static void Validate(string? problem, string parameter)
    {
        if (problem is not null)
            throw new ArgumentException(problem, parameter);
    }

    /// <summary>
    /// Asks the proxy for a single-key command. A node that refuses it with <see cref="CacheErrorCode.Unavailable"/>
    /// applied nothing (a shard handing off or recovering, a node on the minority side, no node reachable), so the
    /// command is sent again after a short backoff (20 ms doubling to 200 ms, placement refreshed meanwhile) while the
    /// request timeout allows, unless <see cref="DistCacheClientOptions.RetryUnavailable"/> is off; the last refusal
    /// is what the caller sees.
    /// </summary>
    private async Task<TReply> AskKeyed<TReply>(object request, string key, CancellationToken ct)
    {
        var clock = global::System.Diagnostics.Stopwatch.StartNew();
        var backoff = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            var remaining = _options.RequestTimeout - clock.Elapsed;
            TReply reply;
            try
            {
                reply = await _proxy.Ask<TReply>(request, remaining > TimeSpan.Zero ? remaining : TimeSpan.FromMilliseconds(1), ct).ConfigureAwait(false);
            }
            catch (AskTimeoutException)
            {
                var shard = _resolver.ShardOf(key);
                throw new DistCacheTimeoutException(
                    $"No answer for key '{RequestValidation.Shorten(key)}' (shard {shard}) within {_options.RequestTimeout.TotalMilliseconds:0} ms.",
                    key, shard, _options.RequestTimeout);
            }

            // Another attempt needs its backoff and a fair chance to be answered (MinAttempt) within the timeout.
            if (!_options.RetryUnavailable || !IsUnavailable(reply) || clock.Elapsed + backoff + MinAttempt >= _options.RequestTimeout)
                return reply;
            await Task.Delay(backoff, ct).ConfigureAwait(false); // a retry backoff, not a synchronisation
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromMilliseconds(200).Ticks));
        }
    }

    private static bool IsUnavailable(object? reply) => reply switch
    {
        GetFailure f => f.Error.Code == CacheErrorCode.Unavailable,
        SetFailure f => f.Error.Code == CacheErrorCode.Unavailable,
        RemoveFailure f => f.Error.Code == CacheErrorCode.Unavailable,
        _ => false,
    };

    private async Task<TReply> AskBatch<TReply>(object request, CancellationToken ct)
    {
        // The proxy's aggregators answer within the request timeout; the extra second covers their own overhead.
        var timeout = _options.RequestTimeout + TimeSpan.FromSeconds(1);
        try
        {
            return await _proxy.Ask<TReply>(request, timeout, ct).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            throw new DistCacheTimeoutException($"No answer for {request.GetType().Name} within {timeout.TotalMilliseconds:0} ms.", null, null, timeout);
        }
    }
}
