namespace AmebaOta.Protocol.OtaUi;

/// <summary>
/// The delays of the OTA UI libraries (docs/reference section 11.2): the heartbeat thread's 500 ms before it closes and
/// 3 s sleep after, the trigger listener's 500 ms before it closes (AmebaPro2) or 10 s before it reads again (AmebaD).
/// The defaults are the real ones; tests scale them.
/// </summary>
public sealed record OtaUiTiming
{
    /// <summary>The libraries' own values.</summary>
    public static OtaUiTiming Real { get; } = new();

    /// <summary><c>delay(500)</c> between sending the heartbeat and <c>wifiClient.stop()</c>; the reply is never read.</summary>
    public TimeSpan HeartbeatLinger { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary><c>delay(3000)</c> (AmebaPro2) or <c>vTaskDelay(3000)</c> (AmebaD) after each heartbeat.</summary>
    public TimeSpan HeartbeatSleep { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>AmebaPro2's listener: <c>delay(500)</c> after the echo, then <c>client.stop()</c>.</summary>
    public TimeSpan TriggerCloseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>AmebaD's listener: <c>vTaskDelay(10000)</c> after each read, then it reads the same connection again.</summary>
    public TimeSpan TriggerReadPause { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>One heartbeat period when connecting and sending take no time: linger plus sleep, about 3.5 s.</summary>
    public TimeSpan HeartbeatPeriod => HeartbeatLinger + HeartbeatSleep;

    /// <summary>Every delay divided by <paramref name="factor"/> (a board clock that much faster, for tests).</summary>
    public OtaUiTiming Faster(double factor)
    {
        if (!(factor >= 1)) throw new ArgumentOutOfRangeException(nameof(factor), "the speed-up is at least 1");
        return new OtaUiTiming
        {
            HeartbeatLinger = HeartbeatLinger / factor,
            HeartbeatSleep = HeartbeatSleep / factor,
            TriggerCloseDelay = TriggerCloseDelay / factor,
            TriggerReadPause = TriggerReadPause / factor,
        };
    }
}
