namespace AmebaOta.Device.Sketches;

/// <summary>
/// The delays of the example sketches. The defaults are the real ones; tests shorten them. The printed lines do not
/// change with them (<c>Retry OTA after 10s</c> is the sketch's text, whatever the wait).
/// </summary>
public sealed record SketchTiming
{
    public static SketchTiming Real { get; } = new();

    /// <summary><c>ota_non_block</c>'s <c>loop()</c>: <c>delay(1000)</c>, then <c>Current system tick</c>.</summary>
    public TimeSpan Tick { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary><c>ota_non_block</c>'s Wi-Fi thread: how often it checks <c>WiFi.status()</c>.</summary>
    public TimeSpan WifiCheck { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Both sketches: the wait after a failed <c>WiFi.begin</c> (<c>Failed. Wait 1s and retry...</c>).</summary>
    public TimeSpan WifiRetry { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary><c>ota_non_block</c>'s OTA thread: the wait after a failed <c>beginLocal</c> (<c>Retry OTA after 10s</c>).</summary>
    public TimeSpan OtaRetry { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>AmebaD <c>OTA_Basic</c>: the <c>delay(10000)</c> after each <c>WiFi.begin</c> ("wait 10 seconds for connection"), joined or not.</summary>
    public TimeSpan ConnectWait { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// AmebaD <c>OTA_Basic</c>: how long <c>MDNS.registerService</c> takes before <c>beginOTA</c> starts (3.0 s between
    /// <c>register mDNS service</c> and <c>[beginOTA] Alloc buffer Init</c> in the board log of Realtek's OTA guide).
    /// </summary>
    public TimeSpan MdnsRegistration { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The OTA UI library's delays (heartbeat 500 ms + 3 s, listener 500 ms or 10 s).</summary>
    public Protocol.OtaUi.OtaUiTiming OtaUi { get; init; } = Protocol.OtaUi.OtaUiTiming.Real;

    /// <summary>The OTA UI examples' <c>delay(2000)</c> after each <c>WiFi.begin</c> in <c>setup()</c>.</summary>
    public TimeSpan OtaUiWifiBegin { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>lwIP's TIME_WAIT: how long the OTA port stays held after the board closed a connection first (2 × TCP_MSL = 120 s).</summary>
    public TimeSpan TimeWait { get; init; } = Protocol.LwipTimeWait.DefaultDuration;
}
