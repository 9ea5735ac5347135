;;; secreview-eglot.el --- secreview-ls with Eglot  -*- lexical-binding: t; -*-

;; Put this in your init file (or load this file). Works with Eglot 1.9+
;; (Emacs 28 with the eglot package) and the Eglot built into Emacs 29+.
;; Eglot runs one server per major mode: this replaces pylsp/pyright for
;; Python buffers while it is active.

(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs
               '((python-mode python-ts-mode)
                 . ("python3" "-m" "secreview_ls"
                    :initializationOptions (:severity "medium")))))

;; Answered for workspace/configuration, section "secreview". Per project,
;; set it in .dir-locals.el instead:
;;   ((nil . ((eglot-workspace-configuration
;;             . (:secreview (:severity "medium" :ignore ["SR113"]))))))
(setq-default eglot-workspace-configuration
              '(:secreview (:severity "medium")))

(add-hook 'python-mode-hook #'eglot-ensure)

;;; secreview-eglot.el ends here
