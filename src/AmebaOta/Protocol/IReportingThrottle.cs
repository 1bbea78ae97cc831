namespace AmebaOta.Protocol;

/// <summary>
/// A throttle that is also told how the transfer it paces goes (a fleet's airtime ticket, which measures each board's
/// rate from it): a server sending an image a board pulls paces the body through it and reports what the board acknowledged.
/// </summary>
public interface IReportingThrottle : IUploadThrottle
{
    /// <summary>
    /// The transfer's phase and the image bytes the board has acknowledged so far (not what the host's kernel buffered).
    /// Called as acknowledgements come in.
    /// </summary>
    void Report(OtaUploadPhase phase, long acknowledged);
}
