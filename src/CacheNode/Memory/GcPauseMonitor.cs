namespace DistCacheAkka.CacheNode.Memory;

/// <summary>
/// How much of the recent past the GC kept this process paused: samples the runtime's total pause time once a
/// second and answers the paused share of the last <see cref="Window"/>. A node at its memory budget is normal (it
/// evicts and serves); a node whose GC pauses it most of the time is not serving and must not be reported ready.
/// </summary>
internal sealed class GcPauseMonitor : IDisposable
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private readonly Func<TimeSpan> _totalPause;
    private readonly TimeProvider _time;
    private readonly Queue<(long Ticks, TimeSpan Paused)> _samples = new();
    private readonly ITimer? _timer;
    private readonly Lock _gate = new();

    /// <param name="totalPause">The process's total GC pause so far (<see cref="GC.GetTotalPauseDuration"/> in production).</param>
    /// <param name="sampleEvery">How often to sample on a timer; null: only when <see cref="Sample"/> is called (tests).</param>
    public GcPauseMonitor(Func<TimeSpan> totalPause, TimeProvider time, TimeSpan? sampleEvery)
    {
        _totalPause = totalPause;
        _time = time;
        Sample();
        if (sampleEvery is { } every)
            _timer = time.CreateTimer(_ => Sample(), null, every, every);
    }

    public static GcPauseMonitor StartForProcess() => new(GC.GetTotalPauseDuration, TimeProvider.System, TimeSpan.FromSeconds(1));

    public void Sample()
    {
        var now = _time.GetUtcNow().UtcTicks;
        var paused = _totalPause();
        lock (_gate)
        {
            _samples.Enqueue((now, paused));
            // Keep one sample at or before the window's start, so the share covers the whole window.
            while (_samples.Count > 2 && now - ElementAt(1).Ticks >= Window.Ticks)
                _samples.Dequeue();
        }
    }

    /// <summary>The share (0..1) of the time between the oldest kept sample and now that the GC paused the process;
    /// 0 until two samples exist.</summary>
    public double PausedShare()
    {
        var now = _time.GetUtcNow().UtcTicks;
        var paused = _totalPause();
        lock (_gate)
        {
            if (_samples.Count == 0)
                return 0;
            var (ticks, pausedThen) = _samples.Peek();
            var elapsed = now - ticks;
            return elapsed <= 0 ? 0 : Math.Clamp((paused - pausedThen).Ticks / (double)elapsed, 0, 1);
        }
    }

    public void Dispose() => _timer?.Dispose();

    private (long Ticks, TimeSpan Paused) ElementAt(int index) => _samples.ElementAt(index);
}
