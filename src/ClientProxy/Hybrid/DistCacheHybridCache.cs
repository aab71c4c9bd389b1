using System.Buffers;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Settings;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DistCacheAkka.ClientProxy.Hybrid;

/// <summary>
/// <see cref="HybridCache"/> over a DistCacheAkka cluster: L1 is the client's coherent near cache, L2 the cluster
/// (see the README, "HybridCache"). Entries are stored as <see cref="HybridEntry"/> (a header with the creation time
/// and tags, then the payload); tag removals are markers (<see cref="TagMarkers"/>). Sets, removes and tag removals go
/// through the cluster, so the nodes' invalidation feeds take them to every application's near cache.
/// </summary>
internal sealed partial class DistCacheHybridCache : HybridCache
{
    private readonly IDistCacheClient _client;
    private readonly IHybridCacheBackend _backend;
    private readonly DistCacheHybridCacheOptions _options;
    private readonly HybridSerializers _serializers;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly FlightGroup _flights = new();
    private readonly DistCacheSettings _cluster;

    /// <param name="client">The cluster.</param>
    /// <param name="options">This cache's settings (validated here too).</param>
    /// <param name="serializers">Where each type's serializer comes from.</param>
    /// <param name="time">The clock of creation and removal times; default the system clock.</param>
    /// <param name="log">Where read and write failures that GetOrCreateAsync absorbs are logged.</param>
    /// <param name="cluster">The cluster's limits keys are checked against; default reference.conf.</param>
    public DistCacheHybridCache(IDistCacheClient client, DistCacheHybridCacheOptions options, HybridSerializers serializers,
        TimeProvider? time = null, ILogger<DistCacheHybridCache>? log = null, DistCacheSettings? cluster = null)
    {
        _cluster = cluster ?? DistCacheSettings.Default;
        if (options.Problem() is { } problem)
            throw new ArgumentException(problem, nameof(options));
        _client = client;
        _backend = HybridBackend.For(client);
        _options = options;
        _serializers = serializers;
        _time = time ?? TimeProvider.System;
        _log = log ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Factory runs in flight now (for tests).</summary>
    internal int FlightsInProgress => _flights.Count;

    /// <summary>
    /// The cached value of <paramref name="key"/>, or the factory's value, stored for the other callers and
    /// applications. Concurrent callers of one key in this process share one read and one factory run; a caller that
    /// cancels leaves, and the factory is cancelled only when every caller has. Cache failures do not fail the call: a
    /// failed read is a miss, a failed write is logged. The factory's own exception reaches every caller waiting for it.
    /// </summary>
    /// <exception cref="ArgumentException">The key is empty, too long or reserved ("__hc:"), or a tag is empty or "*".</exception>
    public override async ValueTask<T> GetOrCreateAsync<TState, T>(string key, TState state, Func<TState, CancellationToken, ValueTask<T>> factory,
        HybridCacheEntryOptions? options = null, IEnumerable<string>? tags = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ValidateKey(key);
        var tagList = Tags(tags);
        var entry = Effective(options);
        var plan = HybridPlan.Of(entry.Flags ?? HybridCacheEntryFlags.None);

        // An L1 hit needs no flight.
        if (plan.Read is HybridRead.NearThenCluster or HybridRead.NearThenDirect or HybridRead.NearOnly && _backend.TryGetNear(key, out var near))
        {
            var hit = await DecodeAsync<T>(key, near, cancellationToken).ConfigureAwait(false);
            if (hit.Found && !TooOldForL1(hit.CreatedTicks, entry))
                return hit.Value!;
            if (hit.Found)
                plan = plan.PastNear();
        }

        var flightKey = typeof(T).FullName + "\n" + key;
        return await _flights.RunAsync(flightKey, token => ReadOrCreateAsync(key, state, factory, plan, entry, tagList, token), cancellationToken)
            .ConfigureAwait(false);
    }

    private async Task<T> ReadOrCreateAsync<TState, T>(string key, TState state, Func<TState, CancellationToken, ValueTask<T>> factory,
        HybridPlan plan, HybridCacheEntryOptions entry, string[] tags, CancellationToken ct)
    {
        var found = await ReadAsync<T>(key, plan.Read, ct).ConfigureAwait(false);
        if (found.Found)
            return found.Value!;
        if (!plan.RunFactory)
            return default!;

        // Created when the factory starts: a tag removal while it runs makes its value stale, never the reverse.
        var created = _time.GetUtcNow().UtcTicks;
        var value = await factory(state, ct).ConfigureAwait(false);
        if (!plan.WriteCluster)
            return value;
        try
        {
            var stored = Encode(value, created, tags);
            if (stored.Length - HeaderLength(stored) > _options.MaximumPayloadBytes)
                LogTooLarge(key, stored.Length, _options.MaximumPayloadBytes);
            else
                await _client.SetBytesAsync(key, stored, Expiry(entry), _options.WriteConsistency, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogWriteFailed(e, key);
        }

        return value;
    }

    /// <summary>
    /// Stores <paramref name="value"/> in the cluster (unless DisableDistributedCacheWrite, which stores nothing: L1
    /// cannot hold what L2 does not). Every application's near copy of the key is invalidated.
    /// </summary>
    /// <exception cref="ArgumentException">Bad key or tag, or a serialized value over MaximumPayloadBytes.</exception>
    /// <exception cref="DistCacheException">The cluster refused or did not acknowledge the write at the configured level.</exception>
    public override async ValueTask SetAsync<T>(string key, T value, HybridCacheEntryOptions? options = null, IEnumerable<string>? tags = null,
        CancellationToken cancellationToken = default)
    {
        ValidateKey(key);
        var tagList = Tags(tags);
        var entry = Effective(options);
        if (!HybridPlan.Of(entry.Flags ?? HybridCacheEntryFlags.None).WriteCluster)
            return;
        var stored = Encode(value, _time.GetUtcNow().UtcTicks, tagList);
        var payload = stored.Length - HeaderLength(stored);
        if (payload > _options.MaximumPayloadBytes)
            throw new ArgumentException(
                $"The value of '{key}' serializes to {payload} bytes; DistCacheHybridCacheOptions.MaximumPayloadBytes is {_options.MaximumPayloadBytes}.", nameof(value));
        await _client.SetBytesAsync(key, stored, Expiry(entry), _options.WriteConsistency, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes the key from the cluster, and so from every application's near cache. Removing a missing key is fine.</summary>
    /// <exception cref="DistCacheException">The cluster refused or did not acknowledge the removal.</exception>
    public override async ValueTask RemoveAsync(string key, CancellationToken cancellationToken = default)
    {
        ValidateKey(key);
        await _client.RemoveAsync(key, _options.WriteConsistency, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Makes every entry carrying <paramref name="tag"/> ("*": every entry) created up to now read as missing, in every
    /// application: the time of the removal is written to the tag's marker at TagConsistency. Entries are not deleted;
    /// they expire as usual or are replaced by the next GetOrCreateAsync.
    /// </summary>
    /// <exception cref="ArgumentException">The tag is null or empty.</exception>
    /// <exception cref="DistCacheException">The marker write was refused or not acknowledged.</exception>
    public override async ValueTask RemoveByTagAsync(string tag, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(tag))
            throw new ArgumentException("The tag is null or empty.", nameof(tag));
        var marker = TagMarkers.Encode(_time.GetUtcNow().UtcTicks);
        await _client.SetBytesAsync(TagMarkers.KeyOf(tag), marker, CacheExpiry.Never, _options.TagConsistency, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads and decodes an entry along <paramref name="read"/>; a failed read is logged and counts as a miss.</summary>
    private async Task<Decoded<T>> ReadAsync<T>(string key, HybridRead read, CancellationToken ct)
    {
        byte[]? stored;
        try
        {
            stored = read switch
            {
                HybridRead.NearThenCluster => await _client.GetBytesAsync(key, ConsistencyLevel.Eventual, ct).ConfigureAwait(false),
                HybridRead.NearThenDirect => _backend.TryGetNear(key, out var near) ? near : await Direct(key, ct).ConfigureAwait(false),
                HybridRead.Direct => await Direct(key, ct).ConfigureAwait(false),
                HybridRead.NearOnly => _backend.TryGetNear(key, out var only) ? only : null,
                _ => null,
            };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogReadFailed(e, key);
            return default;
        }

        return stored is null ? default : await DecodeAsync<T>(key, stored, ct).ConfigureAwait(false);
    }

    private Task<byte[]?> Direct(string key, CancellationToken ct) =>
        _backend.GetDirectAsync(key, _options.DirectReadConsistency ?? ConsistencyLevel.Quorum, ct);

    /// <summary>The entry in <paramref name="stored"/> if it decodes and none of its tags (nor "*") was removed since it was created.</summary>
    private async Task<Decoded<T>> DecodeAsync<T>(string key, byte[] stored, CancellationToken ct)
    {
        if (HybridEntry.TryRead(stored) is not { } header)
            return default;
        try
        {
            if (TagMarkers.IsStale(header.CreatedTicks, await RemovalsAsync(header.Tags, ct).ConfigureAwait(false)))
                return default;
            var payload = new ReadOnlySequence<byte>(stored, header.PayloadOffset, stored.Length - header.PayloadOffset);
            return new Decoded<T>(true, _serializers.For<T>().Deserialize(payload), header.CreatedTicks);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogReadFailed(e, key);
            return default;
        }
    }

    /// <summary>The removal times of the "*" marker and of each tag's marker, read through the near cache.</summary>
    private async Task<List<long>> RemovalsAsync(string[] tags, CancellationToken ct)
    {
        var removals = new List<long>(tags.Length + 1) { TagMarkers.Decode(await _backend.GetMarkerAsync(TagMarkers.AllKey, ct).ConfigureAwait(false)) };
        foreach (var tag in tags)
            removals.Add(TagMarkers.Decode(await _backend.GetMarkerAsync(TagMarkers.KeyOf(tag), ct).ConfigureAwait(false)));
        return removals;
    }

    private byte[] Encode<T>(T value, long created, string[] tags)
    {
        var writer = new ArrayBufferWriter<byte>(256);
        HybridEntry.WriteHeader(writer, created, tags);
        _serializers.For<T>().Serialize(value, writer);
        return writer.WrittenSpan.ToArray();
    }

    private static int HeaderLength(byte[] stored) => HybridEntry.TryRead(stored)!.PayloadOffset;

    private bool TooOldForL1(long createdTicks, HybridCacheEntryOptions entry) =>
        entry.LocalCacheExpiration is { } local && _time.GetUtcNow().UtcTicks - createdTicks > local.Ticks;

    /// <summary>The call's options with the defaults filling what it leaves null.</summary>
    private HybridCacheEntryOptions Effective(HybridCacheEntryOptions? options)
    {
        var defaults = _options.DefaultEntryOptions;
        if (options is null)
            return defaults;
        var merged = new HybridCacheEntryOptions
        {
            Expiration = options.Expiration ?? defaults.Expiration,
            LocalCacheExpiration = options.LocalCacheExpiration ?? defaults.LocalCacheExpiration,
            Flags = options.Flags ?? defaults.Flags,
        };
        if (merged.Expiration is { } e && e <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(options), e, "HybridCacheEntryOptions.Expiration must be positive.");
        if (merged.LocalCacheExpiration is { } l && l <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(options), l, "HybridCacheEntryOptions.LocalCacheExpiration must be positive.");
        return merged;
    }

    private static CacheExpiry Expiry(HybridCacheEntryOptions entry) => entry.Expiration is { } e ? CacheExpiry.After(e) : CacheExpiry.Never;

    private void ValidateKey(string key)
    {
        if (string.IsNullOrEmpty(key))
            throw new ArgumentException("A HybridCache key must not be null or empty.", nameof(key));
        if (key.Length > _options.MaximumKeyLength)
            throw new ArgumentException(
                $"The key is {key.Length} characters long; DistCacheHybridCacheOptions.MaximumKeyLength is {_options.MaximumKeyLength}.", nameof(key));
        if (key.StartsWith(TagMarkers.ReservedPrefix, StringComparison.Ordinal))
            throw new ArgumentException($"Keys starting with \"{TagMarkers.ReservedPrefix}\" are reserved for the HybridCache's tag markers.", nameof(key));
        if (RequestValidation.CheckKey(key, _cluster) is { } problem)
            throw new ArgumentException(problem, nameof(key));
    }

    private static string[] Tags(IEnumerable<string>? tags)
    {
        if (tags is null)
            return [];
        var list = tags.Distinct(StringComparer.Ordinal).ToArray();
        foreach (var tag in list)
        {
            if (TagMarkers.TagProblem(tag) is { } problem)
                throw new ArgumentException(problem, nameof(tags));
        }

        return list;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "HybridCache read of {Key} failed; treated as a miss")]
    private partial void LogReadFailed(Exception error, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "HybridCache write of {Key} failed; the value was returned but not stored")]
    private partial void LogWriteFailed(Exception error, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "HybridCache value of {Key} is {Bytes} bytes, over MaximumPayloadBytes {Limit}; not stored")]
    private partial void LogTooLarge(string key, int bytes, int limit);

    /// <summary>A decoded entry, or a miss (default).</summary>
    private readonly record struct Decoded<T>(bool Found, T? Value, long CreatedTicks);
}
