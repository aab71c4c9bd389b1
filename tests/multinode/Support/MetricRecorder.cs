using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace DistCacheAkka.Tests.Multinode.Support;

/// <summary>
/// Records every measurement of the named meters through a <see cref="MeterListener"/> (what any exporter sees),
/// with its instrument, value and tags. Observable instruments report when <see cref="Observe"/> is called.
/// </summary>
public sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Recorded> _recorded = new();

    public MetricRecorder(params string[] meterNames)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (meterNames.Contains(instrument.Meter.Name))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        _listener.Start();
    }

    public IReadOnlyCollection<Recorded> All => _recorded.ToArray();

    /// <summary>Measurements of <paramref name="instrument"/> whose tags include every given pair.</summary>
    public IReadOnlyList<Recorded> Of(string instrument, params (string Key, string Value)[] tags) =>
        _recorded.Where(r => r.Instrument.Name == instrument && tags.All(t => r.Tag(t.Key) == t.Value)).ToList();

    /// <summary>The sum of the values of <see cref="Of"/>.</summary>
    public double Sum(string instrument, params (string Key, string Value)[] tags) => Of(instrument, tags).Sum(r => r.Value);

    public void Observe() => _listener.RecordObservableInstruments();

    public void Clear() => _recorded.Clear();

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        _recorded.Enqueue(new Recorded(instrument, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value?.ToString())));

    public sealed record Recorded(Instrument Instrument, double Value, IReadOnlyDictionary<string, string?> Tags)
    {
        public string? Tag(string key) => Tags.GetValueOrDefault(key);
    }
}
