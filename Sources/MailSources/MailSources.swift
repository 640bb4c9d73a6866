import CEtpan
import CurlKit
import MboxParser
