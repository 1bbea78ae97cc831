using AmebaOta.Protocol;

namespace AmebaOta.Fleet.Airtime;

/// <summary>
/// One board's turn, from <see cref="AirtimeScheduler.WaitTurnAsync"/>: report its upload's progress to it, pace its bytes
/// with it (<see cref="OtaUploadOptions.Throttle"/> for a push; <see cref="Protocol.Serving.PullResponse.Throttle"/> for a board that
/// pulls its image, whose server reports the progress), and dispose it when the upload has ended (sent, failed or
/// cancelled), so the next board can start.
/// </summary>
public sealed class AirtimeTicket : IDisposable, IReportingThrottle
{
    private const int Samples = 16;
    private const double MinimumSpan = 0.25;

    private readonly AirtimeScheduler _scheduler;
    private readonly long _imageLength;
    private readonly double _startedAt;
    private readonly (double At, long Acked)[] _samples = new (double, long)[Samples];
    private int _sampleCount, _newestSample;
    private long _acked;
    private int _ended;
    private double _pacedAt = double.MinValue;

    internal AirtimeTicket(AirtimeScheduler scheduler, long imageLength, double startedAt)
    {
        _scheduler = scheduler;
        _imageLength = imageLength;
        _startedAt = startedAt;
    }

    /// <summary>Connected and not yet taking bytes (erasing): since when.</summary>
    internal double? ErasingSince { get; private set; }

    /// <summary>Taking image bytes.</summary>
    internal bool IsSending { get; private set; }

    /// <summary>The rate the board took bytes at over the last window, once it has taken them for a quarter of a second.</summary>
    internal double? MeasuredRate { get; private set; }

    /// <summary>
    /// <see cref="MeasuredRate"/> when the board was not held back by the budget over the window: what such a board can take.
    /// (Boards held back take what they are given, which says nothing of what the next board will take.)
    /// </summary>
    internal double? OwnPace(double now) => HeldBack(now) ? null : MeasuredRate;

    /// <summary>
    /// The upload's progress: its phase and the image bytes the board has acknowledged so far in this attempt (not what
    /// the host's kernel buffered). Call it as acknowledgements come in.
    /// </summary>
    public void Report(OtaUploadPhase phase, long acknowledged)
    {
        if (Volatile.Read(ref _ended) == 0) _scheduler.Reported(this, phase, acknowledged);
    }

    /// <summary>Waits until the budget allows <paramref name="bytes"/> more bytes (all boards together stay within it).</summary>
    public ValueTask TakeAsync(int bytes, long acknowledged, CancellationToken cancellationToken)
    {
        var wait = _scheduler.PaceAsync(this, bytes, acknowledged, cancellationToken, out double now);
        if (!wait.IsCompleted) Volatile.Write(ref _pacedAt, now);
        return wait;
    }

    /// <summary>Bytes the budget allowed this board (under the scheduler's lock).</summary>
    internal long Granted { get; set; }

    /// <summary>Image bytes the board acknowledged, as far as the budget knows (under the scheduler's lock).</summary>
    internal long AckedInFlight { get; set; }

    /// <summary>The scheduler no longer counts this board (under the scheduler's lock).</summary>
    internal bool Released { get; set; }

    /// <summary>Bytes allowed and not yet acknowledged.</summary>
    internal long InFlight => Math.Max(0, Granted - AckedInFlight);

    /// <summary>Held back by the budget within the last window: what it took then says less than what it can take.</summary>
    internal bool HeldBack(double now) => now - Volatile.Read(ref _pacedAt) <= _scheduler.Budget.Window.TotalSeconds;

    /// <summary>The upload has ended: the board no longer takes bytes.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _ended, 1) == 0) _scheduler.Ended(this);
    }

    /// <summary>Takes a report (under the scheduler's lock); returns the bytes newly acknowledged.</summary>
    internal long Record(double now, OtaUploadPhase phase, long acknowledged, out bool phaseChanged, out double? eraseTook)
    {
        eraseTook = null;
        phaseChanged = false;
        long delta = Math.Max(0, acknowledged - _acked);
        _acked = Math.Max(_acked, acknowledged);
        if (phase == OtaUploadPhase.BoardErasing && ErasingSince is null && !IsSending)
        {
            ErasingSince = now;
            phaseChanged = true;
        }
        else if (phase != OtaUploadPhase.BoardErasing && !IsSending)
        {
            eraseTook = now - (ErasingSince ?? _startedAt);
            ErasingSince = null;
            IsSending = true;
            phaseChanged = true;
        }
        if (IsSending) Sample(now);
        return delta;
    }

    private void Sample(double now)
    {
        if (_sampleCount > 0 && now - _samples[_newestSample].At < _scheduler.Budget.Window.TotalSeconds / Samples) return;
        _newestSample = (_newestSample + 1) % Samples;
        _samples[_newestSample] = (now, _acked);
        _sampleCount = Math.Min(Samples, _sampleCount + 1);
        var oldest = _samples[(_newestSample - _sampleCount + 1 + Samples) % Samples];
        double span = now - oldest.At;
        if (span >= MinimumSpan) MeasuredRate = (_acked - oldest.Acked) / span;
    }

    /// <summary>
    /// The rate this board is expected to take bytes at, at time <paramref name="then"/> (0 if it will not be taking
    /// any): a board taking bytes goes on at its measured rate until its image is all taken (and counts at least
    /// <paramref name="rate"/> if the budget held it back: it would take that much given the room, and counting less would
    /// start more boards in a budget already full, each then given less, and so on); a board not yet taking bytes starts when its erase (<paramref name="erase"/> from when it
    /// connected) ends, at <paramref name="rate"/>.
    /// </summary>
    internal double RateAt(double then, double now, double erase, double rate)
    {
        long remaining = Math.Max(0, _imageLength - _acked);
        if (IsSending)
        {
            double measured = MeasuredRate ?? rate;
            double own = HeldBack(now) ? Math.Max(measured, rate) : measured;
            return now + remaining / Math.Max(measured, 1) > then ? own : 0;   // it ends at the pace it is given
        }
        double start = Math.Max(now, (ErasingSince ?? _startedAt) + erase);
        return start <= then && start + remaining / Math.Max(rate, 1) > then ? rate : 0;
    }
}
